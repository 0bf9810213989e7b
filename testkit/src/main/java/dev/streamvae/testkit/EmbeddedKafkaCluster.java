package dev.streamvae.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka cluster (combined broker and KRaft controller) running inside this JVM from
 * Kafka's own jars, listening on 127.0.0.1 only. For tests and the demo where Docker is missing;
 * supports transactions (exactly-once Kafka Streams) and messages up to
 * {@link #MAX_MESSAGE_BYTES}.
 *
 * <p>Kafka's own {@code KafkaClusterTestKit} binds to all interfaces, so this class writes the
 * server configuration itself: free ports picked on 127.0.0.1, storage formatted with
 * {@code StorageTool.execute} (its {@code main} exits the JVM), then {@link KafkaRaftServer}.
 */
public final class EmbeddedKafkaCluster implements KafkaCluster {

  /** Largest record batch the broker accepts: a 64 MiB model plus its envelope. */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024 + 1024 * 1024;

  /** Largest request the broker accepts; must exceed {@link #MAX_MESSAGE_BYTES}. */
  public static final int MAX_REQUEST_BYTES = 2 * MAX_MESSAGE_BYTES;

  /** The only address the broker listens on. */
  public static final String HOST = "127.0.0.1";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
  private static final int START_ATTEMPTS = 3;
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final int NODE_ID = 1;

  /** The user the SASL_SSL broker knows from the start (PLAIN), also used between brokers. */
  public static final String ADMIN_USER = "streamvae-admin";

  private volatile KafkaRaftServer server;
  private final Path baseDir;
  private final String bootstrapServers;
  private final Map<String, String> config;
  private final Map<String, Object> clientSecurity;
  private final TlsMaterial tls;
  private final String adminPassword;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedKafkaCluster(KafkaRaftServer server, Path baseDir, String bootstrapServers,
      Map<String, String> config, Secured secured) {
    this.server = server;
    this.baseDir = baseDir;
    this.bootstrapServers = bootstrapServers;
    this.config = config;
    this.tls = secured == null ? null : secured.tls();
    this.adminPassword = secured == null ? null : secured.adminPassword();
    this.clientSecurity = secured == null ? Map.of()
        : Map.copyOf(secured.clientProperties("PLAIN", ADMIN_USER, secured.adminPassword()));
  }

  /** TLS material and the admin's password of a SASL_SSL broker. */
  private record Secured(TlsMaterial tls, String adminPassword) {
    Map<String, Object> clientProperties(String mechanism, String user, String password) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("security.protocol", "SASL_SSL");
      c.put("ssl.truststore.location", tls.truststore().toString());
      c.put("ssl.truststore.password", tls.password());
      c.put("ssl.truststore.type", "PKCS12");
      c.put("sasl.mechanism", mechanism);
      String module = mechanism.equals("PLAIN")
          ? "org.apache.kafka.common.security.plain.PlainLoginModule"
          : "org.apache.kafka.common.security.scram.ScramLoginModule";
      c.put("sasl.jaas.config", module + " required username=\"" + user + "\" password=\""
          + password + "\";");
      return c;
    }
  }

  /** Starts a broker with the default configuration and waits until it answers an admin client. */
  public static EmbeddedKafkaCluster start() {
    return start(Map.of());
  }

  /**
   * Starts a broker with extra server properties layered over the defaults (for example a shorter
   * {@code transaction.max.timeout.ms}), and waits until it answers an admin client. Listener,
   * port and directory properties are owned by this class and cannot be overridden.
   */
  public static EmbeddedKafkaCluster start(Map<String, String> overrides) {
    return startWithRetries(overrides, false);
  }

  /**
   * Starts a broker whose only client listener is SASL_SSL, with a certificate made for this run
   * ({@link TlsMaterial}) and the mechanisms PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 enabled. The
   * PLAIN user {@value #ADMIN_USER} exists with a random password; SCRAM users are added with
   * the Admin API ({@code alterUserScramCredentials}). No authorizer: any authenticated client
   * may do anything. {@link #clientProperties()} connects as the admin.
   */
  public static EmbeddedKafkaCluster startSaslSsl() {
    return startWithRetries(Map.of(), true);
  }

  private static EmbeddedKafkaCluster startWithRetries(Map<String, String> overrides,
      boolean secured) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        return startOnce(overrides, secured);
      } catch (RuntimeException e) {
        // A free port can be taken by another process between probing and binding.
        if (!causedByBind(e)) {
          throw e;
        }
        LOG.warn("Embedded Kafka could not bind its ports (attempt {}), retrying", attempt);
        last = e;
      }
    }
    throw last;
  }

  private static EmbeddedKafkaCluster startOnce(Map<String, String> overrides, boolean sasl) {
    long started = System.nanoTime();
    Path baseDir = createTempDir();
    KafkaRaftServer server = null;
    try {
      int brokerPort = freePort();
      int controllerPort = freePort();
      Secured secured = sasl ? new Secured(TlsMaterial.generate(baseDir.resolve("tls")),
          "admin-" + Uuid.randomUuid()) : null;
      Map<String, String> config = serverConfig(baseDir, brokerPort, controllerPort, overrides);
      if (secured != null) {
        secure(config, brokerPort, secured);
      }
      Path configFile = baseDir.resolve("server.properties");
      writeProperties(config, configFile);
      format(configFile);

      Properties props = new Properties();
      props.putAll(config);
      server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();

      String bootstrap = HOST + ":" + brokerPort;
      awaitReady(bootstrap, secured == null ? Map.of()
          : secured.clientProperties("PLAIN", ADMIN_USER, secured.adminPassword()));
      LOG.info("Embedded Kafka {} ready on {}{} in {} ms (data in {})",
          AppInfoParser.getVersion(), bootstrap, secured == null ? "" : " (SASL_SSL)",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), baseDir);
      return new EmbeddedKafkaCluster(server, baseDir, bootstrap, Collections.unmodifiableMap(
          config), secured);
    } catch (RuntimeException | Error e) {
      if (server != null) {
        stop(server);
      }
      deleteRecursively(baseDir);
      throw e;
    }
  }

  private static Map<String, String> serverConfig(
      Path baseDir, int brokerPort, int controllerPort, Map<String, String> overrides) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("num.partitions", "1");
    c.put("default.replication.factor", "1");
    c.put("min.insync.replicas", "1");
    c.put("auto.create.topics.enable", "false");
    // Tests and the demo produce back-dated history (weeks old): with the default 7-day
    // retention the broker's first retention pass, 30 s after start, would delete it mid-test.
    c.put("log.retention.ms", "-1");
    c.put("offsets.topic.replication.factor", "1");
    c.put("offsets.topic.num.partitions", "1");
    c.put("transaction.state.log.replication.factor", "1");
    c.put("transaction.state.log.min.isr", "1");
    c.put("transaction.state.log.num.partitions", "1");
    c.put("share.coordinator.state.topic.replication.factor", "1");
    c.put("share.coordinator.state.topic.min.isr", "1");
    c.put("group.initial.rebalance.delay.ms", "0");
    c.put("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
    c.put("replica.fetch.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
    c.put("socket.request.max.bytes", String.valueOf(MAX_REQUEST_BYTES));
    // The default 128 MiB dedupe buffer is allocated eagerly; compacted test topics are tiny.
    c.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
    // Few threads: the build machines have two cores shared with the code under test.
    c.put("num.network.threads", "2");
    c.put("num.io.threads", "2");
    c.put("num.recovery.threads.per.data.dir", "1");
    c.put("background.threads", "2");
    c.putAll(overrides);

    // Owned by this class: 127.0.0.1 only, fresh ports and directory.
    c.put("process.roles", "broker,controller");
    c.put("node.id", String.valueOf(NODE_ID));
    c.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    c.put("listeners",
        "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
    c.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
    c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    c.put("controller.listener.names", "CONTROLLER");
    c.put("inter.broker.listener.name", "PLAINTEXT");
    c.put("log.dirs", baseDir.resolve("data").toString());
    return c;
  }

  /** Replaces the PLAINTEXT client listener by SASL_SSL, used between brokers too. */
  private static void secure(Map<String, String> c, int brokerPort, Secured secured) {
    String controller = c.get("listeners").split(",")[1];
    c.put("listeners", "SASL_SSL://" + HOST + ":" + brokerPort + "," + controller);
    c.put("advertised.listeners", "SASL_SSL://" + HOST + ":" + brokerPort);
    c.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
    c.put("inter.broker.listener.name", "SASL_SSL");
    c.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    c.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
    c.put("listener.name.sasl_ssl.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + ADMIN_USER + "\" password=\"" + secured.adminPassword() + "\" user_" + ADMIN_USER
            + "=\"" + secured.adminPassword() + "\";");
    for (String scram : new String[] {"scram-sha-256", "scram-sha-512"}) {
      c.put("listener.name.sasl_ssl." + scram + ".sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    }
    TlsMaterial tls = secured.tls();
    c.put("ssl.keystore.location", tls.keystore().toString());
    c.put("ssl.keystore.password", tls.password());
    c.put("ssl.key.password", tls.password());
    c.put("ssl.keystore.type", "PKCS12");
    c.put("ssl.truststore.location", tls.truststore().toString());
    c.put("ssl.truststore.password", tls.password());
    c.put("ssl.truststore.type", "PKCS12");
  }

  private static void format(Path configFile) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      rc = StorageTool.execute(new String[] {
          "format", "--cluster-id", Uuid.randomUuid().toString(),
          "--config", configFile.toString()}, out);
    }
    if (rc != 0) {
      throw new IllegalStateException("formatting Kafka storage failed (exit " + rc + "): "
          + captured.toString(StandardCharsets.UTF_8).trim());
    }
    LOG.debug("{}", captured.toString(StandardCharsets.UTF_8).trim());
  }

  private static void awaitReady(String bootstrap, Map<String, Object> security) {
    Map<String, Object> adminConfig = new LinkedHashMap<>(security);
    adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(adminConfig)) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("embedded Kafka did not become ready on " + bootstrap,
                e);
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("embedded Kafka reports no brokers on " + bootstrap);
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
    }
  }

  /**
   * Stops the broker as a crash or a maintenance bounce would, keeping its ports, configuration
   * and data, so that {@link #restartBroker()} brings the same broker back. Clients see it go.
   */
  public synchronized void stopBroker() {
    if (closed.get()) {
      throw new IllegalStateException("closed");
    }
    if (server != null) {
      stop(server);
      server = null;
      LOG.info("Embedded Kafka on {} stopped (data kept for a restart)", bootstrapServers);
    }
  }

  /**
   * Starts the broker stopped by {@link #stopBroker()} again on the same ports and data, and
   * waits until it answers.
   *
   * @throws IllegalStateException when the broker is running, or closed
   */
  public synchronized void restartBroker() {
    if (closed.get() || server != null) {
      throw new IllegalStateException("restartBroker needs a broker stopped by stopBroker()");
    }
    Properties props = new Properties();
    props.putAll(config);
    KafkaRaftServer restarted = new KafkaRaftServer(KafkaConfig.fromProps(props, false),
        Time.SYSTEM);
    restarted.startup();
    server = restarted;
    awaitReady(bootstrapServers, clientSecurity);
    LOG.info("Embedded Kafka restarted on {}", bootstrapServers);
  }

  @Override
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * Everything a client needs to connect: the bootstrap servers and, for a SASL_SSL broker, the
   * security settings of the PLAIN admin user.
   */
  public Map<String, Object> clientProperties() {
    Map<String, Object> props = new LinkedHashMap<>(clientSecurity);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }

  /**
   * For a SASL_SSL broker: the client settings of {@code user} authenticating with {@code
   * mechanism} (PLAIN for the admin; SCRAM-SHA-256 or -512 for users added with the Admin API),
   * with the bootstrap servers.
   *
   * @throws IllegalStateException for a PLAINTEXT broker
   */
  public Map<String, Object> clientProperties(String mechanism, String user, String password) {
    if (tls == null) {
      throw new IllegalStateException("a PLAINTEXT broker has no client security settings");
    }
    Map<String, Object> props = new LinkedHashMap<>(
        new Secured(tls, adminPassword).clientProperties(mechanism, user, password));
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }

  /** The directory holding this broker's configuration and data; deleted by {@link #close()}. */
  public Path directory() {
    return baseDir;
  }

  /** The server properties this broker runs with. */
  public Map<String, String> serverConfig() {
    return config;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      long started = System.nanoTime();
      try {
        synchronized (this) {
          if (server != null) {
            stop(server);
          }
        }
      } finally {
        deleteRecursively(baseDir);
      }
      LOG.info("Embedded Kafka on {} stopped in {} ms", bootstrapServers,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
  }

  @Override
  public String toString() {
    return "EmbeddedKafkaCluster[" + bootstrapServers + "]";
  }

  private static void stop(KafkaRaftServer server) {
    server.shutdown();
    server.awaitShutdown();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + HOST, e);
    }
  }

  private static boolean causedByBind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }

  private static Path createTempDir() {
    try {
      return Files.createTempDirectory("streamvae-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for embedded Kafka", e);
    }
  }

  private static void writeProperties(Map<String, String> config, Path file) {
    Properties props = new Properties();
    props.putAll(config);
    try (OutputStream out = Files.newOutputStream(file)) {
      props.store(out, "embedded Kafka written by streamvae testkit");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  static void deleteRecursively(Path dir) {
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
          if (exc instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
          }
          throw exc;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      LOG.warn("Could not delete embedded Kafka directory {}", dir, e);
    }
  }
}
