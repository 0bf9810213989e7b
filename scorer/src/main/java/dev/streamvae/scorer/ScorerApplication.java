package dev.streamvae.scorer;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.util.Map;

/** Starts the scorer service, from {@code main} or embedded in another program. */
public final class ScorerApplication {

  private ScorerApplication() {}

  /** Runs the service until it is stopped. */
  public static void main(String[] args) {
    Micronaut.run(ScorerApplication.class, args);
  }

  /**
   * Starts the service with extra properties (they win over application.yml), returning once
   * Kafka Streams and the HTTP server are started. Close the context to stop it.
   */
  public static ApplicationContext start(Map<String, Object> properties) {
    return Micronaut.build(new String[0])
        .mainClass(ScorerApplication.class)
        .properties(properties)
        .banner(false)
        .start();
  }

  /** The base URL of a started service's HTTP server. */
  public static URI baseUrl(ApplicationContext context) {
    return context.getBean(EmbeddedServer.class).getURI();
  }
}
