package dev.streamvae.vae;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes and reads the model payload: a plain, versioned binary layout ({@link DataOutputStream},
 * big-endian) from which a model is rebuilt by construction, never by deserialising objects or
 * graphs. Formats 1 (no option fields), 2 (no layout or condition fields) and 3 (no score
 * target) are still read; a model is written in the oldest format that holds it (a dense
 * unconditional whole-window model as format 2, a conditional or conv1d one as 3), so scorers of
 * earlier releases keep loading the models they can score. Layout of payload format
 * {@value #PAYLOAD_FORMAT}:
 *
 * <pre>
 * int    payloadFormat
 * int    windowLength, featureCount, latentDim, mcSamples
 * int    hiddenCount, then hiddenCount ints
 * UTF    activation ("tanh")
 * float  encoderLogVarLimit, decoderLogVarLimit
 * UTF    featureCount feature names
 * double threshold
 * float  featureCount means, featureCount stds
 * byte   1 when each window is centred on its own mean first, else 0 (format 2 only)
 * int    maxMissing, values a window may miss and still be scored (format 2 only)
 * byte   reconstruction: 0 Gaussian, 1 Bernoulli (format 2 only)
 * byte   architecture: 0 dense, 1 conv1d (format 3)
 * int    convolution kernel, int encoder stride (format 3, conv1d only)
 * byte   conditioning: 0 none, 1 time-of-week (format 3)
 * UTF    the condition's time zone id (format 3, conditional only)
 * byte   score target: 0 the whole window, 1 its last record (format 4)
 * float  mcSamples * latentDim noise values, row-major [L, k]
 * int    arrayCount, then per array: UTF name, int rank, rank longs (shape), int count, floats
 * </pre>
 */
final class PayloadCodec {

  static final int PAYLOAD_FORMAT = 4;
  /** The format of dense, unconditional models: what scorers before format 3 read. */
  static final int DENSE_UNCONDITIONAL_FORMAT = 2;
  /** The format that added layout and conditioning: what scorers before format 4 read. */
  static final int LAYOUT_FORMAT = 3;
  static final String ACTIVATION = "tanh";
  /** Guards allocations against corrupt lengths before they turn into OutOfMemoryError. */
  private static final int MAX_COUNT = 1 << 26;

  private PayloadCodec() {}

  /** The payload format {@link #encode} writes for this model. */
  static int formatOf(AnomalyModel model) {
    if (model.scoreTarget() != VaeConfig.ScoreTarget.WINDOW) {
      return PAYLOAD_FORMAT;
    }
    return model.conditional() || model.network().architecture().convolutional()
        ? LAYOUT_FORMAT : DENSE_UNCONDITIONAL_FORMAT;
  }

  static byte[] encode(AnomalyModel model) {
    Architecture arch = model.network().architecture();
    Normaliser norm = model.normaliser();
    int format = formatOf(model);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(format);
      out.writeInt(model.windowLength());
      out.writeInt(model.featureCount());
      out.writeInt(model.latentDim());
      out.writeInt(model.mcSamples());
      out.writeInt(arch.hiddenSizes().size());
      for (int h : arch.hiddenSizes()) {
        out.writeInt(h);
      }
      out.writeUTF(ACTIVATION);
      out.writeFloat(arch.encoderLogVarLimit());
      out.writeFloat(arch.decoderLogVarLimit());
      for (String f : model.features()) {
        out.writeUTF(f);
      }
      out.writeDouble(model.threshold());
      writeFloats(out, norm.means());
      writeFloats(out, norm.stds());
      out.writeByte(norm.centreWindows() ? 1 : 0);
      out.writeInt(model.maxMissing());
      out.writeByte(model.reconstruction().ordinal());
      if (format >= 3) {
        out.writeByte(arch.kind().ordinal());
        if (arch.convolutional()) {
          out.writeInt(arch.convKernel());
          out.writeInt(arch.convStride());
        }
        out.writeByte(model.conditioning().ordinal());
        if (model.conditional()) {
          out.writeUTF(model.conditionZone().getId());
        }
      }
      if (format >= 4) {
        out.writeByte(model.scoreTarget().ordinal());
      }
      writeFloats(out, model.eps());
      Map<String, INDArray> params = model.network().params();
      out.writeInt(params.size());
      for (Map.Entry<String, INDArray> e : params.entrySet()) {
        INDArray a = e.getValue();
        out.writeUTF(e.getKey());
        out.writeInt(a.rank());
        for (long d : a.shape()) {
          out.writeLong(d);
        }
        float[] values = a.dup('c').data().asFloat();
        out.writeInt(values.length);
        writeFloats(out, values);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory write failed", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Rebuilds a model from payload bytes.
   *
   * @throws InvalidModelException when the bytes are truncated, of an unknown payload format,
   *     or describe an inconsistent model
   */
  static AnomalyModel decode(byte[] payload) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
      int format = in.readInt();
      if (format < 1 || format > PAYLOAD_FORMAT) {
        throw new InvalidModelException("unknown payload format " + format + " (this library "
            + "reads " + PAYLOAD_FORMAT + ")");
      }
      int windowLength = positive(in.readInt(), "windowLength");
      int featureCount = positive(in.readInt(), "featureCount");
      int latentDim = positive(in.readInt(), "latentDim");
      int mcSamples = positive(in.readInt(), "mcSamples");
      int hiddenCount = positive(in.readInt(), "hidden layer count");
      List<Integer> hidden = new ArrayList<>();
      for (int i = 0; i < hiddenCount; i++) {
        hidden.add(positive(in.readInt(), "hidden layer width"));
      }
      String activation = in.readUTF();
      if (!ACTIVATION.equals(activation)) {
        throw new InvalidModelException("unsupported activation '" + activation + "'");
      }
      float encLimit = in.readFloat();
      float decLimit = in.readFloat();
      if (!(encLimit > 0) || !(decLimit > 0)) {
        throw new InvalidModelException("log-variance limits must be positive");
      }
      List<String> features = new ArrayList<>();
      for (int f = 0; f < featureCount; f++) {
        features.add(in.readUTF());
      }
      double threshold = in.readDouble();
      float[] means = readFloats(in, featureCount);
      float[] stds = readFloats(in, featureCount);
      boolean centreWindows = false;
      int maxMissing = 0;
      VaeConfig.Reconstruction reconstruction = VaeConfig.Reconstruction.GAUSSIAN;
      if (format >= 2) {
        int centring = in.readUnsignedByte();
        if (centring > 1) {
          throw new InvalidModelException("payload window centring flag is " + centring);
        }
        centreWindows = centring == 1;
        maxMissing = in.readInt();
        int kind = in.readUnsignedByte();
        if (kind >= VaeConfig.Reconstruction.values().length) {
          throw new InvalidModelException("payload reconstruction kind is " + kind);
        }
        reconstruction = VaeConfig.Reconstruction.values()[kind];
      }
      VaeConfig.ArchitectureKind layout = VaeConfig.ArchitectureKind.DENSE;
      int convKernel = 0;
      int convStride = 0;
      VaeConfig.Conditioning conditioning = VaeConfig.Conditioning.NONE;
      java.time.ZoneId zone = java.time.ZoneId.of("UTC");
      if (format >= 3) {
        int layoutKind = in.readUnsignedByte();
        if (layoutKind >= VaeConfig.ArchitectureKind.values().length) {
          throw new InvalidModelException("payload architecture kind is " + layoutKind);
        }
        layout = VaeConfig.ArchitectureKind.values()[layoutKind];
        if (layout == VaeConfig.ArchitectureKind.CONV1D) {
          convKernel = positive(in.readInt(), "convolution kernel");
          convStride = positive(in.readInt(), "convolution stride");
        }
        int conditionKind = in.readUnsignedByte();
        if (conditionKind >= VaeConfig.Conditioning.values().length) {
          throw new InvalidModelException("payload conditioning kind is " + conditionKind);
        }
        conditioning = VaeConfig.Conditioning.values()[conditionKind];
        if (conditioning != VaeConfig.Conditioning.NONE) {
          String zoneId = in.readUTF();
          try {
            zone = java.time.ZoneId.of(zoneId);
          } catch (java.time.DateTimeException e) {
            throw new InvalidModelException("payload condition time zone '" + zoneId
                + "' is unknown to this JVM", e);
          }
        }
      }
      VaeConfig.ScoreTarget scoreTarget = VaeConfig.ScoreTarget.WINDOW;
      if (format >= 4) {
        int target = in.readUnsignedByte();
        if (target >= VaeConfig.ScoreTarget.values().length) {
          throw new InvalidModelException("payload score target is " + target);
        }
        scoreTarget = VaeConfig.ScoreTarget.values()[target];
      }
      float[] eps = readFloats(in, (long) mcSamples * latentDim);
      long inputSize = (long) windowLength * featureCount;
      if (inputSize > VaeConfig.MAX_WINDOW_VALUES) {
        throw new InvalidModelException("window of " + inputSize + " values is too large");
      }
      Architecture arch;
      try {
        arch = new Architecture((int) inputSize, hidden, latentDim, encLimit, decLimit, layout,
            featureCount, conditioning.size(), convKernel, convStride);
      } catch (IllegalArgumentException e) {
        throw new InvalidModelException("inconsistent payload: " + e.getMessage(), e);
      }
      int arrayCount = positive(in.readInt(), "weight array count");
      Map<String, INDArray> params = new LinkedHashMap<>();
      for (int i = 0; i < arrayCount; i++) {
        String name = in.readUTF();
        int rank = in.readInt();
        if (rank < 1 || rank > 4) {
          throw new InvalidModelException("weight array " + name + " has rank " + rank);
        }
        long[] shape = new long[rank];
        long expected = 1;
        for (int d = 0; d < rank; d++) {
          shape[d] = in.readLong();
          if (shape[d] < 1 || shape[d] > MAX_COUNT) {
            throw new InvalidModelException("weight array " + name + " has dimension "
                + shape[d]);
          }
          expected *= shape[d];
        }
        int count = in.readInt();
        if (count != expected) {
          throw new InvalidModelException("weight array " + name + " has " + count
              + " values for shape " + java.util.Arrays.toString(shape));
        }
        if (params.put(name, Nd4j.create(readFloats(in, count), shape, 'c')) != null) {
          throw new InvalidModelException("weight array " + name + " appears twice");
        }
      }
      if (in.read() != -1) {
        throw new InvalidModelException("payload has trailing bytes");
      }
      try {
        VaeNetwork network = new VaeNetwork(arch, params);
        Normaliser normaliser = new Normaliser(means, stds, centreWindows);
        return new AnomalyModel(features, windowLength, threshold, normaliser, network, eps,
            maxMissing, reconstruction, conditioning, zone, scoreTarget);
      } catch (IllegalArgumentException e) {
        throw new InvalidModelException("inconsistent payload: " + e.getMessage(), e);
      }
    } catch (EOFException e) {
      throw new InvalidModelException("payload truncated", e);
    } catch (IOException e) {
      throw new InvalidModelException("payload unreadable: " + e.getMessage(), e);
    }
  }

  private static int positive(int value, String what) {
    if (value < 1 || value > MAX_COUNT) {
      throw new InvalidModelException("payload " + what + " is " + value);
    }
    return value;
  }

  private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
    for (float v : values) {
      out.writeFloat(v);
    }
  }

  private static float[] readFloats(DataInputStream in, long count) throws IOException {
    if (count > MAX_COUNT || count > in.available() / Float.BYTES) {
      throw new EOFException();
    }
    float[] values = new float[(int) count];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readFloat();
    }
    return values;
  }
}
