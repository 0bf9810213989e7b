package dev.streamvae.vae;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of the network and the names of its weight arrays, shared by the SameDiff training
 * graph and the plain-ND4J inference path so the two cannot drift apart.
 *
 * <p>Dense: encoder {@code [x, c] -> tanh dense (hidden[0]) -> ... -> mu, logvar (k each)};
 * decoder mirrors it: {@code [z, c] -> tanh dense (hidden[last]) -> ... -> mean, logvar (W*F
 * each)}, where {@code c} is the condition vector of a conditional model (absent otherwise).
 * tanh rather than ReLU: the inputs are standardised and the networks are small, where ReLU
 * units that die early cost a noticeable share of capacity, and tanh keeps the decoder smooth in
 * z, which the Monte Carlo score averages over.
 *
 * <p>Conv1D: the window is read as {@code [W, F]} (time, metric: the time-major row reshaped,
 * ND4J's NWC layout). Encoder: one tanh convolution per {@code hidden} entry, kernel {@code
 * convKernel}, stride {@code convStride}, SAME padding, so the length shrinks to {@code
 * ceil(W / stride)} per layer; the last map is flattened, the condition appended, and dense heads
 * give mu and logvar. Decoder: {@code [z, c] -> tanh dense} to a full-length {@code [W,
 * hidden[last]]} map, then stride-1 tanh convolutions through the widths in reverse, and two
 * linear stride-1 convolutions to the mean and logvar of each metric at each step. Upsampling is
 * done by that dense layer rather than by transposed convolutions: the length is exactly W for
 * any W (no odd/even rounding to undo), the map it writes already mixes the whole window, and
 * the inference path needs only ND4J's {@code conv1d} op, the one the graph trains with.
 *
 * <p>Both log-variances go through a soft clamp {@code c * tanh(raw / c)}: unlike a hard clip it
 * never zeroes the gradient, and it bounds the decoder's precision at {@code exp(c)}, so one
 * perfectly reconstructed training feature cannot drive its variance to zero and the scores of
 * everything else to infinity.
 *
 * @param inputSize values per window, {@code W * F}
 * @param featureCount F; the convolutional layout needs it, the dense one does not
 * @param conditionSize values in the condition vector; 0 for an unconditional model
 * @param convKernel kernel width of the convolutions (CONV1D only)
 * @param convStride stride of the encoder's convolutions (CONV1D only)
 */
record Architecture(int inputSize, List<Integer> hiddenSizes, int latentDim,
    float encoderLogVarLimit, float decoderLogVarLimit, VaeConfig.ArchitectureKind kind,
    int featureCount, int conditionSize, int convKernel, int convStride) {

  static final float DEFAULT_ENCODER_LOGVAR_LIMIT = 10f;
  static final float DEFAULT_DECODER_LOGVAR_LIMIT = 7f;

  static final String ENC_MU = "enc_mu";
  static final String ENC_LOGVAR = "enc_logvar";
  static final String DEC_MU = "dec_mu";
  static final String DEC_LOGVAR = "dec_logvar";
  static final String DEC_INPUT = "dec_in";

  /** One dense layer: weight {@code name_W [nIn, nOut]} and bias {@code name_b [1, nOut]}. */
  record Dense(String name, int nIn, int nOut) {
    String weight() {
      return name + "_W";
    }

    String bias() {
      return name + "_b";
    }
  }

  /**
   * One 1-D convolution: weight {@code name_W [kernel, nIn, nOut]} (ND4J's layout for conv1d)
   * and bias {@code name_b [nOut]}.
   */
  record Conv(String name, int kernel, int nIn, int nOut, int stride) {
    String weight() {
      return name + "_W";
    }

    String bias() {
      return name + "_b";
    }
  }

  Architecture {
    hiddenSizes = List.copyOf(hiddenSizes);
    if (featureCount < 1 || inputSize % featureCount != 0) {
      throw new IllegalArgumentException("input of " + inputSize + " values is not a window of "
          + featureCount + " features");
    }
    if (conditionSize < 0) {
      throw new IllegalArgumentException("conditionSize " + conditionSize);
    }
    if (kind == VaeConfig.ArchitectureKind.CONV1D && (convKernel < 1 || convStride < 1)) {
      throw new IllegalArgumentException("convolution kernel " + convKernel + " and stride "
          + convStride + " must be positive");
    }
  }

  /** A dense, unconditional architecture (the layout of payload formats 1 and 2). */
  Architecture(int inputSize, List<Integer> hiddenSizes, int latentDim,
      float encoderLogVarLimit, float decoderLogVarLimit) {
    this(inputSize, hiddenSizes, latentDim, encoderLogVarLimit, decoderLogVarLimit,
        VaeConfig.ArchitectureKind.DENSE, 1, 0, 0, 0);
  }

  static Architecture of(VaeConfig config) {
    return new Architecture(config.windowSize(), config.hiddenSizes(), config.latentDim(),
        DEFAULT_ENCODER_LOGVAR_LIMIT, DEFAULT_DECODER_LOGVAR_LIMIT, config.architecture(),
        config.featureCount(), config.conditioning().size(),
        VaeConfig.ArchitectureKind.CONV_KERNEL, VaeConfig.ArchitectureKind.CONV_STRIDE);
  }

  boolean convolutional() {
    return kind == VaeConfig.ArchitectureKind.CONV1D;
  }

  /** Records per window W. */
  int windowLength() {
    return inputSize / featureCount;
  }

  /** Hidden encoder layers, input side first (dense only; the condition enters the first). */
  List<Dense> encoderHidden() {
    List<Dense> layers = new ArrayList<>();
    if (convolutional()) {
      return layers;
    }
    int in = inputSize + conditionSize;
    for (int i = 0; i < hiddenSizes.size(); i++) {
      layers.add(new Dense("enc" + i, in, hiddenSizes.get(i)));
      in = hiddenSizes.get(i);
    }
    return layers;
  }

  /** The encoder's convolutions, input side first (CONV1D only). */
  List<Conv> encoderConvs() {
    List<Conv> layers = new ArrayList<>();
    if (!convolutional()) {
      return layers;
    }
    int in = featureCount;
    for (int i = 0; i < hiddenSizes.size(); i++) {
      layers.add(new Conv("enc_conv" + i, convKernel, in, hiddenSizes.get(i), convStride));
      in = hiddenSizes.get(i);
    }
    return layers;
  }

  /** Time steps left after the encoder's convolutions (SAME padding: ceil per layer). */
  int encodedLength() {
    int length = windowLength();
    for (int i = 0; i < hiddenSizes.size(); i++) {
      length = (length + convStride - 1) / convStride;
    }
    return length;
  }

  /**
   * Width of what the mu and logvar heads read: the last dense hidden layer (the condition
   * entered at the first), or the flattened convolution map with the condition appended.
   */
  private int headInput() {
    return convolutional() ? encodedLength() * lastHidden() + conditionSize : lastHidden();
  }

  Dense encoderMu() {
    return new Dense(ENC_MU, headInput(), latentDim);
  }

  Dense encoderLogVar() {
    return new Dense(ENC_LOGVAR, headInput(), latentDim);
  }

  /** Hidden decoder layers, latent side first (the encoder's widths reversed; dense only). */
  List<Dense> decoderHidden() {
    List<Dense> layers = new ArrayList<>();
    if (convolutional()) {
      return layers;
    }
    int in = latentDim + conditionSize;
    for (int i = hiddenSizes.size() - 1, j = 0; i >= 0; i--, j++) {
      layers.add(new Dense("dec" + j, in, hiddenSizes.get(i)));
      in = hiddenSizes.get(i);
    }
    return layers;
  }

  /** CONV1D: {@code [z, c]} to the flattened {@code [W, hidden[last]]} map. */
  Dense decoderInput() {
    return new Dense(DEC_INPUT, latentDim + conditionSize, windowLength() * lastHidden());
  }

  /** CONV1D: the decoder's hidden stride-1 convolutions, widths reversed. */
  List<Conv> decoderConvs() {
    List<Conv> layers = new ArrayList<>();
    if (!convolutional()) {
      return layers;
    }
    for (int i = hiddenSizes.size() - 2, j = 0; i >= 0; i--, j++) {
      layers.add(new Conv("dec_conv" + j, convKernel, hiddenSizes.get(i + 1),
          hiddenSizes.get(i), 1));
    }
    return layers;
  }

  /** CONV1D: the mean head, a stride-1 convolution to one channel per metric. */
  Conv decoderMuConv() {
    return new Conv(DEC_MU, convKernel, hiddenSizes.get(0), featureCount, 1);
  }

  /** CONV1D: the log-variance head. */
  Conv decoderLogVarConv() {
    return new Conv(DEC_LOGVAR, convKernel, hiddenSizes.get(0), featureCount, 1);
  }

  Dense decoderMu() {
    return new Dense(DEC_MU, hiddenSizes.get(0), inputSize);
  }

  Dense decoderLogVar() {
    return new Dense(DEC_LOGVAR, hiddenSizes.get(0), inputSize);
  }

  /** Every dense layer of a DENSE network, in payload order. */
  List<Dense> allLayers() {
    List<Dense> all = new ArrayList<>(encoderHidden());
    all.add(encoderMu());
    all.add(encoderLogVar());
    all.addAll(decoderHidden());
    all.add(decoderMu());
    all.add(decoderLogVar());
    return all;
  }

  /** Every weight array's name and shape, in payload order. */
  Map<String, long[]> parameterShapes() {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    if (!convolutional()) {
      for (Dense d : allLayers()) {
        put(shapes, d);
      }
      return shapes;
    }
    for (Conv c : encoderConvs()) {
      put(shapes, c);
    }
    put(shapes, encoderMu());
    put(shapes, encoderLogVar());
    put(shapes, decoderInput());
    for (Conv c : decoderConvs()) {
      put(shapes, c);
    }
    put(shapes, decoderMuConv());
    put(shapes, decoderLogVarConv());
    return shapes;
  }

  private static void put(Map<String, long[]> shapes, Dense d) {
    shapes.put(d.weight(), new long[] {d.nIn(), d.nOut()});
    shapes.put(d.bias(), new long[] {1, d.nOut()});
  }

  private static void put(Map<String, long[]> shapes, Conv c) {
    shapes.put(c.weight(), new long[] {c.kernel(), c.nIn(), c.nOut()});
    shapes.put(c.bias(), new long[] {c.nOut()});
  }

  private int lastHidden() {
    return hiddenSizes.get(hiddenSizes.size() - 1);
  }
}
