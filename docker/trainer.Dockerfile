# The streamvae trainer: fits a VAE on a time range of the metrics topic and publishes it,
# versioned, to the models topic. Build from the repository root:
#   docker build -f docker/trainer.Dockerfile -t streamvae/trainer .
# Run once:      docker run --rm streamvae/trainer --from 2026-11-01T00:00:00Z --to 2026-11-08T00:00:00Z
# On a schedule: docker run streamvae/trainer --every 6h --lookback 24h --metrics-address 0.0.0.0:9404
# Base images are arguments so a local or mirrored base can be used (see docker/build-local.sh).
# Both must be glibc-based: ND4J's and OpenBLAS's native libraries do not run on musl (Alpine).
ARG BUILD_IMAGE=eclipse-temurin:17-jdk
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

# ---- poms: every pom.xml of the build context, at its path ------------------------------
# The next stage copies only these, so its dependency layer is rebuilt only when a POM changes
# (this stage re-runs on every change, but yields the same files).
FROM ${BUILD_IMAGE} AS poms
COPY . /src
RUN mkdir -p /poms \
    && cd /src \
    && find . -name pom.xml -not -path '*/target/*' -exec cp --parents {} /poms/ \;

# ---- build: Maven (through the wrapper) + JDK 17 ------------------------------------------
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY mvnw ./
COPY .mvn/ .mvn/
COPY --from=poms /poms/ ./
# A build of the modules without their sources: the layer holds Maven and every dependency.
RUN ./mvnw -B -ntp -q -pl trainer -am -Dmaven.main.skip=true -Dmaven.test.skip=true install \
    && rm -rf ./*/target
COPY . .
# Tests run in CI (./mvnw verify), not here. The trainer's runtime dependencies go to lib/, ours
# to app/ (the layer that changes with every commit). The trainer declares no SLF4J binding
# outside its tests, so Logback (its test-scope binding, version from the BOM) is added here:
# that needs the modules installed in the build stage's local repository, hence `install`.
RUN ./mvnw -B -ntp -q -pl trainer -am -Dmaven.test.skip=true install \
    && ./mvnw -B -ntp -q -pl trainer dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory=/out/lib \
    && ./mvnw -B -ntp -q -pl trainer dependency:copy-dependencies \
        -DincludeScope=test -DincludeGroupIds=ch.qos.logback -DoutputDirectory=/out/lib \
    && mkdir -p /out/app \
    && mv /out/lib/streamvae-*.jar /out/app/ \
    && cp trainer/target/streamvae-trainer-*.jar /out/app/

# ---- runtime: JRE 17 only -----------------------------------------------------------------
FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0-SNAPSHOT
ARG REVISION=unknown
LABEL org.opencontainers.image.title="streamvae-trainer" \
      org.opencontainers.image.description="Trains and publishes streamvae VAE anomaly models from a Kafka topic" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.vendor="streamvae"

# A fixed non-root uid/gid (Kubernetes runAsNonRoot can check a number). The data directories
# belong to group 0 too, so an orchestrator that picks an arbitrary uid (OpenShift) can write.
# A named volume mounted on /var/lib/streamvae/models starts with this ownership.
RUN groupadd --gid 10001 streamvae \
    && useradd --no-log-init --uid 10001 --gid streamvae --home-dir /home/streamvae --create-home \
        --shell /usr/sbin/nologin streamvae \
    && mkdir -p /var/lib/streamvae/models \
    && chown -R 10001:0 /var/lib/streamvae /home/streamvae \
    && chmod -R g=u /var/lib/streamvae /home/streamvae

COPY --from=build /out/lib/ /opt/streamvae/lib/
COPY --from=build /out/app/ /opt/streamvae/app/
COPY docker/bin/ /opt/streamvae/bin/
COPY docker/conf/ /opt/streamvae/conf/

# OMP_NUM_THREADS=1: one OpenMP thread for ND4J (see DESIGN.md). Heap: half the container's
# memory, because ND4J (JavaCPP) allocates off the heap up to the heap's size by default. HOME
# holds JavaCPP's cache of extracted native libraries.
ENV OMP_NUM_THREADS=1 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError" \
    HOME=/home/streamvae

USER 10001:10001
# --out's default, models/{name}-v{version}.svae, lands in the volume.
WORKDIR /var/lib/streamvae
VOLUME ["/var/lib/streamvae/models"]
# Prometheus text at /metrics with --metrics-address 0.0.0.0:9404.
EXPOSE 9404

# A one-off run has no health to report; a scheduled one (--every) is checked in compose.yml
# through its metrics endpoint (bin/http-healthcheck.sh 9404 /metrics).
HEALTHCHECK NONE

# Scripts run through bash, so they work whatever file mode a checkout gave them.
ENTRYPOINT ["bash", "/opt/streamvae/bin/entrypoint.sh", "train"]
CMD ["--help"]
