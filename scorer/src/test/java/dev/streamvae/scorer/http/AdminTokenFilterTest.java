package dev.streamvae.scorer.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamvae.scorer.ModelsConfig;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import org.junit.jupiter.api.Test;

/** Which requests the model endpoints' token check lets through. */
class AdminTokenFilterTest {

  private static final String TOKEN = "0123456789abcdef-token";

  private static ModelsConfig config(String token) {
    return new ModelsConfig(null, false, 68_157_440, 1e-4, null, null, null, null, 3, token);
  }

  @Test
  void readsAreOpenChangesNeedTheToken() {
    AdminTokenFilter filter = new AdminTokenFilter(config(TOKEN));
    assertThat(filter.authenticate(HttpRequest.GET("/models/m"))).isNull();
    HttpResponse<?> none = filter.authenticate(HttpRequest.POST("/models/m/pin", "{}"));
    assertThat(none.code()).isEqualTo(HttpStatus.UNAUTHORIZED.getCode());
    HttpResponse<?> wrong = filter.authenticate(HttpRequest.POST("/models/m/pin", "{}")
        .bearerAuth(TOKEN + "x"));
    assertThat(wrong.code()).isEqualTo(HttpStatus.UNAUTHORIZED.getCode());
    assertThat(filter.authenticate(HttpRequest.DELETE("/models/m/pin").bearerAuth(TOKEN)))
        .isNull();
  }

  @Test
  void withoutAConfiguredTokenChangesAreRefused() {
    AdminTokenFilter filter = new AdminTokenFilter(config(null));
    HttpResponse<?> r = filter.authenticate(HttpRequest.POST("/models/m/pin", "{}")
        .bearerAuth("anything-anything"));
    assertThat(r.code()).isEqualTo(HttpStatus.FORBIDDEN.getCode());
    assertThat(filter.authenticate(HttpRequest.GET("/models"))).isNull();
  }

  @Test
  void aShortTokenIsAConfigurationError() {
    assertThatThrownBy(() -> config("short"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("admin-token");
  }
}
