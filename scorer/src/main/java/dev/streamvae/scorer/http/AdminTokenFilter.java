package dev.streamvae.scorer.http;

import dev.streamvae.scorer.ModelsConfig;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards the state-changing model endpoints ({@code /models/**} with any method but GET/HEAD):
 * they need {@code Authorization: Bearer TOKEN} with the token of {@code
 * scorer.models.admin-token} (env {@code SCORER_MODELS_ADMIN_TOKEN}), compared in constant time.
 * Without a configured token they are refused (403); reading stays open.
 */
@ServerFilter("/models/**")
public class AdminTokenFilter {

  private static final String BEARER = "Bearer ";

  private final byte[] token;

  /** Reads the token from the configuration. */
  public AdminTokenFilter(ModelsConfig config) {
    this.token = config.adminToken() == null ? null
        : config.adminToken().getBytes(StandardCharsets.UTF_8);
  }

  /** Lets reads through; answers 401/403 for a change without the right token. */
  @RequestFilter
  @Nullable
  public HttpResponse<?> authenticate(HttpRequest<?> request) {
    HttpMethod method = request.getMethod();
    if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
      return null;
    }
    if (token == null) {
      return error(HttpStatus.FORBIDDEN, "model changes are disabled: set "
          + "scorer.models.admin-token (env SCORER_MODELS_ADMIN_TOKEN)");
    }
    String header = request.getHeaders().getAuthorization().orElse("");
    byte[] given = header.startsWith(BEARER)
        ? header.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8)
        : new byte[0];
    if (!MessageDigest.isEqual(given, token)) {
      return error(HttpStatus.UNAUTHORIZED, "a valid 'Authorization: Bearer <admin token>' "
          + "header is required").header("WWW-Authenticate", "Bearer");
    }
    return null;
  }

  private static io.micronaut.http.MutableHttpResponse<String> error(HttpStatus status,
      String message) {
    return HttpResponse.<String>status(status).contentType(MediaType.APPLICATION_JSON_TYPE)
        .body(ModelController.write(java.util.Map.of("error", message)));
  }
}
