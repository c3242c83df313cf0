package etl.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.apache.camel.support.service.ServiceSupport;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import etl.db.Database;
import etl.health.DatabaseHealthCheck;
import etl.health.OutboxHealthCheck;
import etl.event.IdempotencyKeys;
import etl.http.AuthToken;
import etl.io.Folders;
import etl.metrics.EtlMetrics;
import etl.http.RequestBodyReader;
import etl.http.ApiDoor;
import etl.http.HttpServers;
import etl.http.ManagementDoor;
import etl.http.PathUserId;
import etl.http.StartupGate;
import etl.http.TrustedHeaders;
import etl.processor.Backoff;
import etl.processor.BatchFailed;
import etl.processor.IsolatedApply;
import etl.processor.KeepRejected;
import etl.processor.StartBatch;
import etl.processor.OutboxFiles;
import etl.processor.PruneArchive;
import etl.spool.SpoolWriter;

/**
 * Wires the parts that are not routes: the database (embedded or external), its transaction policy and idempotent
 * repository, the outbox writer, and the start-up checks that stop the process with one clear line.
 */
public class EtlConfiguration implements CamelConfiguration {

    @PropertyInject("etl.db.url")
    private String dbUrl;
    @PropertyInject("etl.db.user")
    private String dbUser;
    @PropertyInject("etl.db.password")
    private String dbPassword;
    @PropertyInject("etl.db.embedded-dir")
    private String embeddedDir;
    @PropertyInject("etl.db.pool-size")
    private int poolSize;
    @PropertyInject("etl.db.connect-timeout-ms")
    private long connectTimeout;
    @PropertyInject("etl.outbox.dir")
    private String outboxDir;
    @PropertyInject("etl.inbox.dir")
    private String inboxDir;
    @PropertyInject("etl.spool.group-commit-bytes")
    private long groupCommitBytes;
    @PropertyInject("etl.spool.linger-micros")
    private long lingerMicros;
    @PropertyInject("etl.http.max-body-bytes")
    private long maxBodyBytes;
    @PropertyInject("etl.auth.token")
    private String authToken;
    @PropertyInject("etl.processor.on-applied")
    private String onApplied;
    @PropertyInject("etl.processor.retry-initial-ms")
    private long backoffInitial;
    @PropertyInject("etl.processor.retry-max-ms")
    private long backoffMax;
    @PropertyInject("etl.processor.files-per-batch")
    private int filesPerBatch;
    @PropertyInject("etl.archive.retention-days")
    private double archiveRetentionDays;
    @PropertyInject("etl.archive.max-bytes")
    private long archiveMaxBytes;
    @PropertyInject("etl.outbox.min-free-bytes")
    private long minFreeBytes;
    @PropertyInject("etl.http.idle-timeout-s")
    private int idleTimeoutSeconds;
    @PropertyInject("etl.http.body-timeout-ms")
    private long bodyTimeoutMillis;
    @PropertyInject("etl.http.max-header-bytes")
    private int maxHeaderBytes;
    @PropertyInject("etl.http.max-line-bytes")
    private int maxLineBytes;
    @PropertyInject("etl.query.require-token")
    private boolean queryRequiresToken;
    @PropertyInject("etl.http.worker-threads")
    private int workerPoolSize;
    @PropertyInject(value = "camel.management.enabled", defaultValue = "false")
    private boolean managementEnabled;
    @PropertyInject(value = "camel.management.port", defaultValue = "8080")
    private int managementPort;
    @PropertyInject("camel.server.port")
    private int httpPort;

    private Database database;

    @Override
    public void configure(CamelContext context) throws Exception {
        boolean server = Roles.enabled(context, Roles.SERVER);
        if (server) {
            checkPortFree(httpPort, "HTTP port", "ETL_HTTP_PORT");
        }
        if (managementEnabled) {
            checkPortFree(managementPort, "management port", "ETL_MANAGEMENT_PORT");
        }
        checkWritable("outbox", Path.of(outboxDir));
        if (Roles.enabled(context, Roles.CLIENT)) {
            checkWritable("inbox", Path.of(inboxDir));
        }

        database = dbUrl == null || dbUrl.isBlank()
                ? Database.embedded(Path.of(embeddedDir), poolSize, connectTimeout)
                : Database.external(dbUrl, dbUser, dbPassword, poolSize, connectTimeout);
        database.applySchema();
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                database.close();
            }
        });

        var ds = database.dataSource();
        var txManager = new DataSourceTransactionManager(ds);
        var txTemplate = new TransactionTemplate(txManager);
        txTemplate.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);

        var registry = context.getRegistry();
        // Camel's HTTP servers take this Vert.x (by type): requests wait on its worker pool for their group commit
        // (enough workers let every connection join). HttpServers adds the limits and the handlers that
        // platform-http has no setting for: the start-up gate (503 JSON, not Vert.x's HTML 404, until every route is
        // in place), the API's door (the token before the body, the body read within its limits), the management
        // port's door.
        Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(workerPoolSize));
        AuthToken token = new AuthToken(authToken);
        StartupGate gate = new StartupGate(vertx);
        context.getManagementStrategy().addEventNotifier(gate);
        HttpServers servers = new HttpServers(context, idleTimeoutSeconds, maxHeaderBytes, maxLineBytes);

        registry.bind("dataSource", ds);
        registry.bind("transactionManager", txManager);
        registry.bind("required", new SpringTransactionPolicy(txTemplate));
        registry.bind("appliedFiles", appliedFiles(ds, txTemplate));
        registry.bind("idempotencyKeys", new IdempotencyKeys(new JdbcTemplate(ds)));
        Backoff backoff = new Backoff(backoffInitial, backoffMax, () -> context.isStopping() || context.isStopped());
        registry.bind("processorBackoff", backoff);
        OutboxFiles outboxFiles = new OutboxFiles(Path.of(outboxDir), !onApplied.contains("delete"));
        registry.bind("outboxFiles", outboxFiles);
        // the processor's named steps (route outbox-batch and its error handling)
        registry.bind("startBatch", new StartBatch(outboxFiles, backoff, filesPerBatch));
        registry.bind("keepRejected", new KeepRejected(outboxFiles));
        registry.bind("batchFailed", new BatchFailed(backoff));
        registry.bind("pruneArchive", new PruneArchive(outboxFiles, archiveRetentionDays, archiveMaxBytes));
        registry.bind("isolatedApply", new IsolatedApply(ds, txManager));
        // one Prometheus registry for Camel's metrics and ours: Camel's, when its metrics service made it first
        MeterRegistry meters = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        }
        EtlMetrics metrics = new EtlMetrics(meters, outboxFiles);
        registry.bind("etlMetrics", metrics);
        registry.bind("authToken", token);
        ApiDoor door = new ApiDoor(token, metrics, maxBodyBytes, bodyTimeoutMillis, queryRequiresToken);
        servers.onRouter(httpPort, router -> {
            gate.install(router);
            door.install(router);
        });
        servers.onRouter(managementPort, router -> ManagementDoor.install(router, token));
        registry.bind("vertx", servers.vertx(vertx));
        registry.bind("trustedHeaders", new TrustedHeaders());
        registry.bind("pathUserId", new PathUserId());
        registry.bind("requestBodyReader", new RequestBodyReader(maxBodyBytes, bodyTimeoutMillis));

        // readiness checks on the management server (/observe/health/ready)
        registry.bind("databaseHealthCheck", new DatabaseHealthCheck(ds));
        registry.bind("outboxHealthCheck", new OutboxHealthCheck(Path.of(outboxDir), minFreeBytes));

        SpoolWriter spool = new SpoolWriter(Path.of(outboxDir), groupCommitBytes, lingerMicros, 30_000);
        registry.bind("spoolWriter", spool);
        context.addService(spool);
    }

    /**
     * The record of applied outbox files (camel-sql's JdbcMessageIdRepository). It joins the route's transaction, so
     * a file's mark commits with its totals or not at all; the insert is "ON CONFLICT DO NOTHING" so that a second
     * process applying the same file waits for the first and then sees a duplicate, instead of an error.
     */
    private static JdbcMessageIdRepository appliedFiles(javax.sql.DataSource ds, TransactionTemplate tx) {
        JdbcMessageIdRepository repo = new JdbcMessageIdRepository(ds, tx, "outbox-files");
        repo.setCreateTableIfNotExists(false);
        repo.setInsertString("INSERT INTO camel_messageprocessed (processorName, messageId, createdAt)"
                + " VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
        return repo;
    }

    private static void checkPortFree(int port, String what, String variable) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new StartupFailure("cannot listen on " + what + " " + port + ": " + e.getMessage()
                    + " (another process has it? set " + variable + ")");
        }
    }

    private static void checkWritable(String what, Path dir) {
        try {
            Files.createDirectories(dir);
            Folders.checkWritable(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new StartupFailure("cannot write the " + what + " folder " + dir.toAbsolutePath()
                    + ": it exists and is not a folder");
        } catch (IOException | SecurityException e) {
            throw new StartupFailure("cannot write the " + what + " folder " + dir.toAbsolutePath() + ": " + e);
        }
    }
}
