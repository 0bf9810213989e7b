package dev.streamvae.vae;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of the network and the names of its weight arrays, shared by the SameDiff training
 * graph and the plain-ND4J inference path so the two cannot drift apart.
 *
 * <p>Encoder: {@code x -> tanh dense (hidden[0]) -> ... -> mu, logvar (k each)}. Decoder mirrors
 * it: {@code z -> tanh dense (hidden[last]) -> ... -> mean, logvar (W*F each)}. tanh rather than
 * ReLU: the inputs are standardised and the networks are small, where ReLU units that die early
 * cost a noticeable share of capacity, and tanh keeps the decoder smooth in z, which the Monte
 * Carlo score averages over.
 *
 * <p>Both log-variances go through a soft clamp {@code c * tanh(raw / c)}: unlike a hard clip it
 * never zeroes the gradient, and it bounds the decoder's precision at {@code exp(c)}, so one
 * perfectly reconstructed training feature cannot drive its variance to zero and the scores of
 * everything else to infinity.
 */
record Architecture(int inputSize, List<Integer> hiddenSizes, int latentDim,
    float encoderLogVarLimit, float decoderLogVarLimit) {

  static final float DEFAULT_ENCODER_LOGVAR_LIMIT = 10f;
  static final float DEFAULT_DECODER_LOGVAR_LIMIT = 7f;

  static final String ENC_MU = "enc_mu";
  static final String ENC_LOGVAR = "enc_logvar";
  static final String DEC_MU = "dec_mu";
  static final String DEC_LOGVAR = "dec_logvar";

  /** One dense layer: weight {@code name_W [nIn, nOut]} and bias {@code name_b [1, nOut]}. */
  record Dense(String name, int nIn, int nOut) {
    String weight() {
      return name + "_W";
    }

    String bias() {
      return name + "_b";
    }
  }

  Architecture {
    hiddenSizes = List.copyOf(hiddenSizes);
  }

  static Architecture of(VaeConfig config) {
    return new Architecture(config.windowSize(), config.hiddenSizes(), config.latentDim(),
        DEFAULT_ENCODER_LOGVAR_LIMIT, DEFAULT_DECODER_LOGVAR_LIMIT);
  }

  /** Hidden encoder layers, input side first. */
  List<Dense> encoderHidden() {
    List<Dense> layers = new ArrayList<>();
    int in = inputSize;
    for (int i = 0; i < hiddenSizes.size(); i++) {
      layers.add(new Dense("enc" + i, in, hiddenSizes.get(i)));
      in = hiddenSizes.get(i);
    }
    return layers;
  }

  Dense encoderMu() {
    return new Dense(ENC_MU, lastHidden(), latentDim);
  }

  Dense encoderLogVar() {
    return new Dense(ENC_LOGVAR, lastHidden(), latentDim);
  }

  /** Hidden decoder layers, latent side first (the encoder's widths reversed). */
  List<Dense> decoderHidden() {
    List<Dense> layers = new ArrayList<>();
    int in = latentDim;
    for (int i = hiddenSizes.size() - 1, j = 0; i >= 0; i--, j++) {
      layers.add(new Dense("dec" + j, in, hiddenSizes.get(i)));
      in = hiddenSizes.get(i);
    }
    return layers;
  }

  Dense decoderMu() {
    return new Dense(DEC_MU, hiddenSizes.get(0), inputSize);
  }

  Dense decoderLogVar() {
    return new Dense(DEC_LOGVAR, hiddenSizes.get(0), inputSize);
  }

  /** Every layer, in payload order. */
  List<Dense> allLayers() {
    List<Dense> all = new ArrayList<>(encoderHidden());
    all.add(encoderMu());
    all.add(encoderLogVar());
    all.addAll(decoderHidden());
    all.add(decoderMu());
    all.add(decoderLogVar());
    return all;
  }

  private int lastHidden() {
    return hiddenSizes.get(hiddenSizes.size() - 1);
  }
}
