package etl.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import javax.sql.DataSource;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.StartupListener;
import org.apache.camel.component.http.HttpComponent;
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
import etl.http.BodyBudget;
import etl.http.HttpAnswerMetrics;
import etl.http.HttpServers;
import etl.http.ManagementDoor;
import etl.http.PathUserId;
import etl.http.StartupGate;
import etl.http.StatusPage;
import etl.http.UploadDoor;
import etl.jobs.AuditRun;
import etl.kafka.EmbeddedKafka;
import etl.kafka.KafkaApply;
import etl.kafka.KafkaLog;
import etl.kafka.KafkaMode;
import etl.kafka.KafkaOffsets;
import etl.kafka.KafkaWatch;
import etl.jobs.ExportFiles;
import etl.jobs.ExportWriter;
import etl.jobs.ImportSteps;
import etl.jobs.JobList;
import etl.jobs.JobMetrics;
import etl.jobs.JobProgress;
import etl.jobs.JobSettings;
import etl.status.RecentRejections;
import etl.status.StatusHistory;
import etl.status.StatusReport;
import etl.status.WorkInProgress;
import etl.http.TrustedHeaders;
import etl.inbox.PlainHttpConnections;
import etl.processor.AppliedFiles;
import etl.processor.Backoff;
import etl.processor.BatchSteps;
import etl.processor.BatchFailed;
import etl.processor.ApplyTotals;
import etl.processor.PreparedHalves;
import etl.processor.IsolatedApply;
import etl.processor.KeepRejected;
import etl.processor.StartBatch;
import etl.processor.OutboxFiles;
import etl.processor.OutboxSettled;
import etl.processor.PruneArchive;
import etl.spool.OrphanSegments;
import etl.spool.SpoolWriter;

/**
 * Wires the parts that are not routes, the Camel Main way: settings by {@code @PropertyInject}, beans by
 * {@code @BindToRegistry} methods (their parameters are other beans, by type or by name), and in {@link #configure}
 * the start-up checks that stop the process with one clear line, the database, and the services and notifiers.
 */
public class EtlConfiguration implements CamelConfiguration {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EtlConfiguration.class);

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
    @PropertyInject("etl.server.url")
    private String serverUrl;
    @PropertyInject("etl.inbox.dir")
    private String inboxDir;
    @PropertyInject("etl.spool.group-commit-bytes")
    private long groupCommitBytes;
    @PropertyInject("etl.spool.linger-micros")
    private long lingerMicros;
    @PropertyInject("etl.spool.segment-bytes")
    private long segmentBytes;
    @PropertyInject("etl.spool.segment-millis")
    private long segmentMillis;
    @PropertyInject("etl.spool.segment-idle-millis")
    private long segmentIdleMillis;
    @PropertyInject("etl.http.max-body-bytes")
    private long maxBodyBytes;
    @PropertyInject("etl.http.body-budget-bytes")
    private long bodyBudgetBytes;
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
    @PropertyInject("etl.processor.batch-bytes")
    private long batchBytes;
    @PropertyInject("etl.processor.batch-memory")
    private long batchMemory;
    @PropertyInject("etl.processor.work-mem")
    private String workMem;
    @PropertyInject("etl.processor.split-users")
    private int splitUsers;
    @PropertyInject("etl.processor.known-users")
    private int knownUsers;
    @PropertyInject("etl.processor.poll-ms")
    private long processorMaxWait;
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
    @PropertyInject("etl.status.sample-ms")
    private long statusSampleMillis;
    @PropertyInject("etl.status.uplot-version")
    private String uplotVersion;
    @PropertyInject("etl.jobs.lease-ms")
    private long jobLeaseMillis;
    @PropertyInject("etl.jobs.max-attempts")
    private int jobMaxAttempts;
    @PropertyInject("etl.exports.dir")
    private String exportsDir;
    @PropertyInject("etl.exports.retention-days")
    private double exportRetentionDays;
    @PropertyInject("etl.imports.dir")
    private String importsDir;
    @PropertyInject("etl.jobs.retention-days")
    private double jobRetentionDays;
    @PropertyInject("etl.imports.max-bytes")
    private long importMaxBytes;
    @PropertyInject("etl.inbox.chunk-lines")
    private int chunkLines;
    @PropertyInject("etl.inbox.chunk-bytes")
    private long chunkBytes;
    @PropertyInject("etl.inbox.max-line-bytes")
    private int maxInboxLineBytes;
    @PropertyInject("etl.warm-up.events")
    private int warmUpEvents;
    @PropertyInject("etl.warm-up.requests")
    private int warmUpRequests;
    @PropertyInject("etl.kafka.bootstrap")
    private String kafkaBootstrap;
    @PropertyInject("etl.kafka.topic")
    private String kafkaTopic;
    @PropertyInject("etl.kafka.partitions")
    private int kafkaPartitions;
    @PropertyInject("etl.kafka.group")
    private String kafkaGroup;
    @PropertyInject("etl.kafka.ack-timeout-ms")
    private long kafkaAckTimeout;
    @PropertyInject(value = "etl.kafka.transactional-id", defaultValue = "")
    private String kafkaTransactionalId;
    @PropertyInject("etl.kafka.producers")
    private int kafkaProducers;
    @PropertyInject("etl.kafka.linger-micros")
    private long kafkaLingerMicros;
    @PropertyInject("etl.kafka.embedded-dir")
    private String kafkaEmbeddedDir;
    @PropertyInject("etl.kafka.embedded-port")
    private int kafkaEmbeddedPort;
    @PropertyInject("etl.roles")
    private String roles;
    @PropertyInject("camel.server.port")
    private int httpPort;

    /** The database, opened and its schema applied on a thread of its own while Camel builds the rest. */
    private CompletableFuture<Database> database;
    /** The JIT's warm-up of the HTTP path, once the routes run (the server and the client in this process). */
    private HttpWarmUp httpWarmUp;
    private KafkaMode kafka;

    /**
     * The start-up sequence, before any bean below is made: the checks that stop the process with one clear line
     * (ports, folders), then the database (embedded or external) and its schema. The beans below are lazy: Camel makes
     * each on its first look-up (by the routes, the HTTP server, the health checks), after this.
     */
    @Override
    public void configure(CamelContext context) throws Exception {
        if (Roles.enabled(context, Roles.SERVER)) {
            checkPortFree(httpPort, "HTTP port", "ETL_HTTP_PORT");
        }
        if (managementEnabled) {
            checkPortFree(managementPort, "management port", "ETL_MANAGEMENT_PORT");
        }
        checkWritable("outbox", Path.of(outboxDir));
        if (Roles.enabled(context, Roles.SERVER)) {
            checkWritable("exports", Path.of(exportsDir));
            checkWritable("imports", Path.of(importsDir));
        }
        if (Roles.enabled(context, Roles.CLIENT)) {
            checkWritable("inbox", Path.of(inboxDir));
            if (PlainHttpConnections.applies(serverUrl)) {
                context.getComponent("http", HttpComponent.class)
                        .setClientConnectionManager(PlainHttpConnections.create());
            }
        }

        // The database (its pool, db.sql applied) is made on a thread of its own: Camel's auto-configuration, which
        // needs none of it, goes on meanwhile (a cold start's 0.2-0.3 s). The first look-up of the data source (the sql
        // component's autowiring, before any route is built) waits for it; a failure stops the start-up there, with
        // its one line (StartupFailure) as before.
        long started = System.nanoTime();
        database = CompletableFuture.supplyAsync(() -> {
            Database db = dbUrl == null || dbUrl.isBlank()
                    ? Database.embedded(Path.of(embeddedDir), poolSize, connectTimeout)
                    : Database.external(dbUrl, dbUser, dbPassword, poolSize, connectTimeout);
            try {
                db.applySchema();
            } catch (RuntimeException e) {
                db.close();
                throw e;
            }
            LOG.info("Database ready, db.sql applied, in {} ms", (System.nanoTime() - started) / 1_000_000);
            return db;
        }, task -> new Thread(task, "database-start").start());
        // meanwhile the JIT compiles the code every event takes, on synthetic events that go nowhere (WarmUp); Kafka
        // mode's processor reads records, not the outbox's spool lines, so its reading is not warmed there
        Set<String> warmed = new HashSet<>(Roles.parse(context.resolvePropertyPlaceholders("{{etl.roles}}")));
        if (kafkaBootstrap != null && !kafkaBootstrap.isBlank()) {
            warmed.remove(Roles.PROCESSOR);
        }
        WarmUp.start(warmed, warmUpEvents, chunkLines, chunkBytes, maxInboxLineBytes);
        // whatever the roles look up, no route starts before the database is ready (or the start-up fails)
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarting(CamelContext camel, boolean alreadyStarted) {
                database();
            }

            @Override
            public void onCamelContextStarted(CamelContext camel, boolean alreadyStarted) {
            }
        });
        // services stop in the reverse order of their adding, after the routes: the spool writer, then the database
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                database.thenAccept(Database::close).exceptionally(e -> null).join();
            }
        });
        context.addService(context.getRegistry().lookupByNameAndType("spoolWriter", SpoolWriter.class));
        // Kafka mode: the broker (embedded: started here, stopped after the routes), the topic
        String bootstrap = kafkaBootstrap == null ? "" : kafkaBootstrap.trim();
        if (bootstrap.equals("embedded")) {
            EmbeddedKafka broker = EmbeddedKafka.start(Path.of(kafkaEmbeddedDir), kafkaEmbeddedPort);
            bootstrap = broker.bootstrap();
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    broker.close();
                }
            });
        }
        kafka = new KafkaMode(bootstrap, kafkaTopic, kafkaPartitions, kafkaGroup, kafkaAckTimeout);
        if (kafka.enabled()) {
            kafka.ensureTopic();
            if (Roles.enabled(context, Roles.SERVER)) {
                // stopped after the routes, before the embedded broker
                context.addService(context.getRegistry().lookupByNameAndType("kafkaLog", KafkaLog.class));
            }
            // bound here, not by a @BindToRegistry method: the readiness check and the lag exist in Kafka mode only
            KafkaWatch watch = new KafkaWatch(kafka, context.getRegistry().lookupByNameAndType("dataSource",
                    DataSource.class));
            context.getRegistry().bind("kafkaHealthCheck", watch);
            watch.register(context.getRegistry().lookupByNameAndType("etlMetrics", EtlMetrics.class).registry());
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    watch.close();
                }
            });
        }
        // 503 JSON on the API port until every route is in place; every HTTP answer counted by route and status
        context.getManagementStrategy().addEventNotifier(
                context.getRegistry().lookupByNameAndType("startupGate", StartupGate.class));
        context.getManagementStrategy().addEventNotifier(
                new HttpAnswerMetrics(context.getRegistry().lookupByNameAndType("etlMetrics", EtlMetrics.class)));
        // then, on the same event, the HTTP path's warm-up (through the gate, open by then)
        boolean both = Roles.enabled(context, Roles.SERVER) && Roles.enabled(context, Roles.CLIENT);
        httpWarmUp = new HttpWarmUp(httpPort, authToken, both ? warmUpRequests : 0, maxBodyBytes);
        context.getManagementStrategy().addEventNotifier(httpWarmUp);
    }

    /** The HTTP path's warm-up: tests wait for its end before they count requests. */
    @BindToRegistry(lazy = true)
    public HttpWarmUp httpWarmUp() {
        return httpWarmUp;
    }

    // Kafka mode: its settings, where a consumer starts on a partition, the step that applies a batch.

    @BindToRegistry(lazy = true)
    public KafkaMode kafkaMode() {
        return kafka;
    }

    @BindToRegistry(lazy = true)
    public KafkaLog kafkaLog(EtlMetrics metrics) throws Exception {
        String id = kafkaTransactionalId == null || kafkaTransactionalId.isBlank()
                ? "etl-server-" + java.net.InetAddress.getLocalHost().getHostName() + "-" + httpPort
                : kafkaTransactionalId.trim();
        KafkaLog log = new KafkaLog(kafka, id, Math.max(1, kafkaProducers), groupCommitBytes, kafkaLingerMicros);
        metrics.groupCommits("kafka", log);
        return log;
    }

    @BindToRegistry(lazy = true)
    public KafkaOffsets kafkaOffsets(DataSource dataSource) {
        return new KafkaOffsets(dataSource);
    }

    @BindToRegistry(lazy = true)
    public KafkaApply kafkaApply(DataSource dataSource, EtlMetrics metrics, OutboxFiles outbox,
            ApplyTotals applyTotals) {
        return new KafkaApply(dataSource, kafka.topic(), metrics, outbox, applyTotals);
    }

    // The database: the pool, Spring's transaction manager and the policy of the routes' transacted(), the applied
    // files' repository (the idempotent consumer of outbox-file) and the look-up of applied Idempotency-Keys.

    /** The database once it is ready; its start-up failure (a StartupFailure, said in one line) thrown here. */
    private Database database() {
        try {
            return database.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    @BindToRegistry(lazy = true)
    public DataSource dataSource() {
        return database().dataSource();
    }

    @BindToRegistry(lazy = true)
    public DataSourceTransactionManager transactionManager(DataSource dataSource) {
        return new DataSourceTransactionManager(dataSource);
    }

    @BindToRegistry(value = "required", lazy = true)
    public SpringTransactionPolicy required(DataSourceTransactionManager transactions) {
        return new SpringTransactionPolicy(requiredTransaction(transactions));
    }

    private static TransactionTemplate requiredTransaction(DataSourceTransactionManager transactions) {
        TransactionTemplate tx = new TransactionTemplate(transactions);
        tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
        return tx;
    }

    /**
     * The record of applied outbox files ({@link AppliedFiles}, camel-sql's JdbcMessageIdRepository). It joins the
     * route's transaction, so a file's mark commits with its totals or not at all; a second process applying the same
     * file waits for the first one's insert and then sees a duplicate, instead of an error.
     */
    @BindToRegistry(lazy = true)
    public JdbcMessageIdRepository appliedFiles(DataSource dataSource, DataSourceTransactionManager transactions) {
        return new AppliedFiles(dataSource, requiredTransaction(transactions), "outbox-files");
    }

    @BindToRegistry(lazy = true)
    public IdempotencyKeys idempotencyKeys(DataSource dataSource) {
        return new IdempotencyKeys(new JdbcTemplate(dataSource));
    }

    // The outbox: its files, the spool writer (group commit), the processor's backoff and named steps.

    @BindToRegistry(lazy = true)
    public OutboxFiles outboxFiles() {
        return new OutboxFiles(Path.of(outboxDir), !onApplied.contains("delete"));
    }

    @BindToRegistry(lazy = true)
    public SpoolWriter spoolWriter(EtlMetrics metrics) {
        SpoolWriter writer = new SpoolWriter(Path.of(outboxDir), groupCommitBytes, lingerMicros, 30_000, segmentBytes,
                segmentMillis, segmentIdleMillis);
        metrics.groupCommits("outbox", writer);
        return writer;
    }

    /** The engine of POST /liveEvent: its worker does not wait for the group commit (ResumingHttpEngine). */
    @BindToRegistry(lazy = true)
    public etl.http.ResumingHttpEngine resumingHttpEngine(CamelContext context) {
        etl.http.ResumingHttpEngine engine = new etl.http.ResumingHttpEngine();
        engine.setCamelContext(context);
        return engine;
    }

    @BindToRegistry(lazy = true)
    public OrphanSegments orphanSegments() {
        return new OrphanSegments(Path.of(outboxDir));
    }

    @BindToRegistry(lazy = true)
    public BatchSteps.OpenFile openOutboxFile(CamelContext context, OutboxFiles outbox) {
        // the threads that read and parse outbox files ahead of the batch (one a file being applied)
        return new BatchSteps.OpenFile(outbox, context.getExecutorServiceManager().newCachedThreadPool(this,
                "outbox-read-ahead"));
    }

    @BindToRegistry(value = "processorBackoff", lazy = true)
    public Backoff processorBackoff(CamelContext context) {
        return new Backoff(backoffInitial, backoffMax, () -> context.isStopping() || context.isStopped());
    }

    @BindToRegistry(lazy = true)
    public OutboxSettled outboxSettled(OutboxFiles outbox) {
        return new OutboxSettled(outbox, processorMaxWait);
    }

    @BindToRegistry(lazy = true)
    public StartBatch startBatch(OutboxFiles outbox, Backoff backoff) {
        return new StartBatch(outbox, backoff, filesPerBatch, StartBatch.batchBytes(batchBytes),
                StartBatch.batchMemory(batchMemory));
    }

    @BindToRegistry(lazy = true)
    public KeepRejected keepRejected(OutboxFiles outbox) {
        return new KeepRejected(outbox);
    }

    @BindToRegistry(lazy = true)
    public BatchFailed batchFailed(Backoff backoff) {
        return new BatchFailed(backoff);
    }

    @BindToRegistry(lazy = true)
    public ApplyTotals applyTotals(DataSourceTransactionManager transactions) {
        return new ApplyTotals(transactions.getDataSource(), workMem, splitUsers, knownUsers);
    }

    @BindToRegistry(lazy = true)
    public PreparedHalves preparedHalves(DataSourceTransactionManager transactions) {
        // halves prepared in the last 2 s are left to their own process, which is about to finish them
        return new PreparedHalves(transactions.getDataSource(), 2);
    }

    @BindToRegistry(lazy = true)
    public IsolatedApply isolatedApply(DataSource dataSource, DataSourceTransactionManager transactions) {
        return new IsolatedApply(dataSource, transactions);
    }

    @BindToRegistry(lazy = true)
    public PruneArchive pruneArchive(OutboxFiles outbox) {
        return new PruneArchive(outbox, archiveRetentionDays, archiveMaxBytes);
    }

    /**
     * The ETL's metrics, on one Prometheus registry with Camel's: Camel's own, when its metrics service made it
     * first.
     */
    @BindToRegistry(lazy = true)
    public EtlMetrics etlMetrics(CamelContext context, OutboxFiles outbox) {
        var registry = context.getRegistry();
        MeterRegistry meters = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        }
        return new EtlMetrics(meters, outbox);
    }

    // HTTP: the token, the steps that read the request, and the Vert.x instance that Camel's HTTP servers take.

    @BindToRegistry(lazy = true)
    public AuthToken authToken() {
        return new AuthToken(authToken);
    }

    @BindToRegistry(lazy = true)
    public TrustedHeaders trustedHeaders() {
        return new TrustedHeaders();
    }

    @BindToRegistry(lazy = true)
    public PathUserId pathUserId() {
        return new PathUserId();
    }

    @BindToRegistry(lazy = true)
    public RequestBodyReader requestBodyReader() {
        return new RequestBodyReader(maxBodyBytes, bodyTimeoutMillis);
    }

    /**
     * The start-up gate, which owns the Vert.x instance (it closes it once Camel has stopped): its worker pool runs the
     * routes of the requests (those of POST /liveEvent up to their group commit, which they do not wait for there). Not
     * a Vertx bean itself: Camel's HTTP servers take the one Vertx bean there is, the proxy below.
     */
    @BindToRegistry(lazy = true)
    public StartupGate startupGate() {
        return new StartupGate(Vertx.vertx(new VertxOptions().setWorkerPoolSize(workerPoolSize)));
    }

    /**
     * What Camel's HTTP servers take (by type): a thin proxy of the Vert.x instance that adds the limits and the
     * handlers platform-http has no setting for (HttpServers): the start-up gate (503 JSON, not Vert.x's HTML 404,
     * until every route is in place), the API's door (the token before the body, the body read within its limits),
     * the management port's door.
     */
    @BindToRegistry(value = "vertx", lazy = true)
    public Vertx vertx(CamelContext context, StartupGate gate, AuthToken token, EtlMetrics metrics,
            StatusPage statusPage) {
        HttpServers servers = new HttpServers(context, idleTimeoutSeconds, maxHeaderBytes, maxLineBytes);
        ApiDoor door = new ApiDoor(token, metrics, maxBodyBytes, bodyTimeoutMillis, queryRequiresToken,
                BodyBudget.of(bodyBudgetBytes, maxBodyBytes, Runtime.getRuntime().maxMemory()));
        UploadDoor uploads = new UploadDoor(token, metrics, Path.of(importsDir), importMaxBytes);
        servers.onRouter(httpPort, router -> {
            gate.install(router);
            door.install(router);
            uploads.install(router);
        });
        servers.onRouter(managementPort, router -> {
            ManagementDoor.install(router, token);
            statusPage.install(router);
        });
        return servers.vertx(gate.vertx());
    }

    // The status page on the management port (/status, /status.json): the history its charts draw, the inbox files
    // being read, the quarantines.

    @BindToRegistry(lazy = true)
    public StatusHistory statusHistory(EtlMetrics metrics) {
        return new StatusHistory(metrics, 15 * 60_000L, statusSampleMillis);
    }

    @BindToRegistry(lazy = true)
    public WorkInProgress workInProgress() {
        return new WorkInProgress();
    }

    @BindToRegistry(lazy = true)
    public StatusPage statusPage(CamelContext context, EtlMetrics metrics, StatusHistory history,
            WorkInProgress work, DataSource dataSource) {
        return new StatusPage(new StatusReport(context, metrics, history, work,
                new RecentRejections(Path.of(inboxDir), Path.of(outboxDir)), roles, statusSampleMillis,
                JobList.forStatusPage(dataSource)), uplotVersion);
    }

    // Background jobs: the settings the runners share, the exports folder, the export's writer, the import's steps.

    @BindToRegistry(lazy = true)
    public JobSettings jobSettings() {
        return JobSettings.of(jobLeaseMillis, jobMaxAttempts, Path.of(exportsDir), exportRetentionDays,
                Path.of(importsDir), jobRetentionDays);
    }

    @BindToRegistry(lazy = true)
    public JobMetrics jobMetrics(DataSource dataSource, EtlMetrics metrics) {
        return new JobMetrics(dataSource, metrics.registry());
    }

    @BindToRegistry(lazy = true)
    public AuditRun auditRun(DataSource dataSource, JobSettings jobs) {
        return new AuditRun(dataSource, Path.of(outboxDir), !onApplied.contains("delete"), kafka.enabled()
                ? "Kafka mode: the raw events are the topic " + kafka.topic() + ", not outbox/.done/ (an audit of the"
                        + " topic is still to come)" : null, new JobProgress(dataSource, jobs));
    }

    @BindToRegistry(lazy = true)
    public ImportSteps importSteps(DataSource dataSource, JobSettings jobs, IdempotencyKeys keys) {
        return new ImportSteps(jobs.importsDir(), chunkLines, chunkBytes, maxInboxLineBytes,
                new JobProgress(dataSource, jobs), keys);
    }

    @BindToRegistry(lazy = true)
    public ExportFiles exportFiles(JobSettings jobs) {
        return new ExportFiles(jobs.exportsDir(), Math.max(60_000L, 2 * jobs.leaseMillis()));
    }

    @BindToRegistry(lazy = true)
    public ExportWriter exportWriter(DataSource dataSource, JobSettings jobs) {
        return new ExportWriter(dataSource, jobs);
    }

    // Readiness checks on the management server (/observe/health/ready).

    @BindToRegistry(lazy = true)
    public DatabaseHealthCheck databaseHealthCheck(DataSource dataSource) {
        return new DatabaseHealthCheck(dataSource);
    }

    @BindToRegistry(lazy = true)
    public OutboxHealthCheck outboxHealthCheck() {
        return new OutboxHealthCheck(Path.of(outboxDir), minFreeBytes);
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
