package dev.streamvae.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Dockerfiles pass npm's dockerfilelint (pinned in docker/lint; {@code npm ci --prefix
 * docker/lint}), with docker/.dockerfilelintrc, except one known false positive.
 */
class DockerfileLintTest {

  static final List<String> DOCKERFILES = List.of("scorer.Dockerfile", "trainer.Dockerfile");

  /**
   * dockerfilelint 1.8.0 reads HEALTHCHECK options with the regex {@code --\w+}, so it sees
   * {@code --start-period} as an unknown {@code --start}: valid Docker syntax since 17.05, and
   * the option the scorer's slow start needs.
   */
  static boolean knownFalsePositive(Map<?, ?> issue) {
    String content = String.valueOf(issue.get("content"));
    return "Invalid Argument Format".equals(issue.get("title"))
        && content.startsWith("HEALTHCHECK ") && content.contains("--start-period=");
  }

  @Test
  void dockerfilesPassTheLinter() throws Exception {
    installPinnedLinter();
    Path linter = Tools.require("dockerfilelint", "npm ci --prefix docker/lint",
        "lint/node_modules/.bin/dockerfilelint", "dockerfilelint");
    List<String> command = new ArrayList<>(List.of(linter.toString(), "-o", "json"));
    command.addAll(DOCKERFILES);
    Tools.Result result = Tools.run(command, Map.of());
    // Exit status 1 means "issues found"; which ones is decided below.
    assertThat(result.exitCode()).as(result.both()).isIn(0, 1);

    // JSON is YAML: no second parser needed.
    Map<?, ?> report = new Yaml().load(result.stdout());
    List<?> files = (List<?>) report.get("files");
    assertThat(files).hasSize(DOCKERFILES.size());
    List<String> findings = new ArrayList<>();
    for (Object f : files) {
      Map<?, ?> file = (Map<?, ?>) f;
      for (Object i : (List<?>) file.get("issues")) {
        Map<?, ?> issue = (Map<?, ?>) i;
        if (!knownFalsePositive(issue)) {
          findings.add(file.get("file") + ":" + issue.get("line") + " " + issue.get("title")
              + ": " + issue.get("content"));
        }
      }
    }
    assertThat(findings).as("dockerfilelint findings").isEmpty();
  }

  /** What the linter's disabled missing_tag rule would check, done on the ARG defaults. */
  @Test
  void everyBaseImageDefaultHasAPinnedTag() throws Exception {
    for (String name : DOCKERFILES) {
      Dockerfile dockerfile = Dockerfile.read(Tools.DOCKER_DIR.resolve(name));
      assertThat(dockerfile.baseImageDefaults()).as(name).isNotEmpty();
      dockerfile.baseImageDefaults().forEach((arg, image) -> {
        String tag = image.contains("@") ? "digest"
            : image.substring(image.lastIndexOf('/') + 1).contains(":")
                ? image.substring(image.lastIndexOf(':') + 1) : "";
        assertThat(tag).as(name + ": default of ARG " + arg + " = " + image)
            .isNotEmpty().isNotEqualTo("latest");
      });
    }
  }

  @Test
  void lintConfigurationIsNextToTheDockerfiles() {
    assertThat(Files.isRegularFile(Tools.DOCKER_DIR.resolve(".dockerfilelintrc"))).isTrue();
  }

  /** Installs the linter pinned in docker/lint/package-lock.json when npm is there and it is not. */
  private static void installPinnedLinter() throws Exception {
    if (Tools.find("lint/node_modules/.bin/dockerfilelint").isPresent()) {
      return;
    }
    java.util.Optional<Path> npm = Tools.find("npm");
    if (npm.isEmpty()) {
      return;
    }
    Tools.Result result = Tools.run(List.of(npm.get().toString(), "ci", "--no-audit", "--no-fund",
        "--prefix", Tools.DOCKER_DIR.resolve("lint").toString()), Map.of());
    assertThat(result.exitCode()).as("npm ci in docker/lint: " + result.both()).isZero();
  }
}
