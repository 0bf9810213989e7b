package dev.streamvae.scorer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsTuningTest {

  private static Properties tuned(Properties props) {
    StreamsTuning.applyDefaults(props);
    return props;
  }

  @Test
  void setsTheScorersDefaultsWhereNothingIsSet() {
    Properties props = tuned(new Properties());
    assertThat(props.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(50L);
    assertThat(props.get("producer.batch.size")).isEqualTo(128 * 1024);
    assertThat(props.get("producer.compression.type")).isEqualTo("lz4");
    assertThat(props.get("producer.linger.ms")).isEqualTo(5);
    // What Kafka Streams hands its producer (its own linger.ms default is 100).
    assertThat(new StreamsConfig(withRequired(props)).getProducerConfigs("client"))
        .containsEntry("batch.size", 128 * 1024).containsEntry("compression.type", "lz4")
        .containsEntry("linger.ms", 5);
  }

  @Test
  void aUsersOwnSettingWinsPrefixedOrNot() {
    Properties plain = new Properties();
    plain.put("batch.size", 32768);
    plain.put("compression.type", "zstd");
    Properties prefixed = new Properties();
    prefixed.put("producer.batch.size", 8192);
    for (Properties props : new Properties[] {plain, prefixed}) {
      Object expected = props.containsKey("batch.size") ? 32768 : 8192;
      assertThat(new StreamsConfig(withRequired(tuned(props))).getProducerConfigs("client")
          .get("batch.size")).isEqualTo(expected);
    }
    assertThat(new StreamsConfig(withRequired(plain)).getProducerConfigs("client")
        .get("compression.type")).isEqualTo("zstd");
    Properties linger = new Properties();
    linger.put("linger.ms", 20);
    assertThat(new StreamsConfig(withRequired(tuned(linger))).getProducerConfigs("client")
        .get("linger.ms")).isEqualTo(20);
  }

  private static Properties withRequired(Properties props) {
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
    return props;
  }
}
