// Swagger UI for the Revenue ETL API. A file of its own (not inline) so that the pages' Content-Security-Policy can
// allow only the server's own scripts. The token given to "Authorize" stays in this page: it is not persisted.
window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", tryItOutEnabled: true,
  persistAuthorization: false});
