# The streamvae scorer: Micronaut + Kafka Streams + ND4J. Build from the repository root:
#   docker build -f docker/scorer.Dockerfile -t streamvae/scorer .
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
RUN ./mvnw -B -ntp -q -pl scorer -am -Dmaven.main.skip=true -Dmaven.test.skip=true package \
    && rm -rf ./*/target
COPY . .
# Tests run in CI (./mvnw verify), not here. Each module's runtime dependencies land in its own
# target/dependency; only the scorer's are kept: third-party jars in lib/, ours in app/ (the
# layer that changes with every commit).
RUN ./mvnw -B -ntp -q -pl scorer -am -Dmaven.test.skip=true package \
        dependency:copy-dependencies -DincludeScope=runtime \
    && mkdir -p /out/lib /out/app \
    && cp scorer/target/dependency/*.jar /out/lib/ \
    && mv /out/lib/streamvae-*.jar /out/app/ \
    && cp scorer/target/streamvae-scorer-*.jar /out/app/

# ---- runtime: JRE 17 only -----------------------------------------------------------------
FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0-SNAPSHOT
ARG REVISION=unknown
LABEL org.opencontainers.image.title="streamvae-scorer" \
      org.opencontainers.image.description="Streaming VAE anomaly scorer for Kafka: Micronaut, Kafka Streams, ND4J" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.vendor="streamvae"

# A fixed non-root uid/gid (Kubernetes runAsNonRoot can check a number). The data directories
# belong to group 0 too, so an orchestrator that picks an arbitrary uid (OpenShift) can write.
# A named volume mounted on /var/lib/streamvae/state starts with this ownership.
RUN groupadd --gid 10001 streamvae \
    && useradd --no-log-init --uid 10001 --gid streamvae --home-dir /home/streamvae --create-home \
        --shell /usr/sbin/nologin streamvae \
    && mkdir -p /var/lib/streamvae/state \
    && chown -R 10001:0 /var/lib/streamvae /home/streamvae \
    && chmod -R g=u /var/lib/streamvae /home/streamvae

COPY --from=build /out/lib/ /opt/streamvae/lib/
COPY --from=build /out/app/ /opt/streamvae/app/
COPY docker/bin/ /opt/streamvae/bin/
COPY docker/conf/ /opt/streamvae/conf/

# OMP_NUM_THREADS=1: ND4J shares the cores with the Kafka Streams threads; one OpenMP thread is
# faster and steadier there (see DESIGN.md). Heap: half the container's memory, because ND4J
# (JavaCPP) and RocksDB allocate off the heap, and JavaCPP's default off-heap limit equals the
# heap limit. HOME holds JavaCPP's cache of extracted native libraries.
ENV OMP_NUM_THREADS=1 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError" \
    HOME=/home/streamvae \
    SCORER_HTTP_PORT=8080 \
    SCORER_STATE_DIR=/var/lib/streamvae/state

USER 10001:10001
WORKDIR /var/lib/streamvae
VOLUME ["/var/lib/streamvae/state"]
EXPOSE 8080

# GET /health with bash's /dev/tcp: the JRE image needs no curl or wget (fewer packages, and a
# debootstrap-made base has neither); 200 means UP, 503 (DOWN) or no answer fails the check.
# Scripts run through bash, so they work whatever file mode a checkout gave them.
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
    CMD ["bash", "/opt/streamvae/bin/http-healthcheck.sh"]

ENTRYPOINT ["bash", "/opt/streamvae/bin/entrypoint.sh"]
CMD ["scorer"]
