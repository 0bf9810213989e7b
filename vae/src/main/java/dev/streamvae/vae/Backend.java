package dev.streamvae.vae;

import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which ND4J backend and devices this process computes on, so that a training run says whether
 * it used the CPU or a GPU (the CUDA backend comes with the build profile {@code -Pcuda}).
 *
 * @param name the backend, e.g. {@code CPU} or {@code CUDA}
 * @param devices what the backend reports about its devices, one line
 */
public record Backend(String name, String devices) {

  /**
   * The backend of this process (initialises ND4J if it is not yet).
   *
   * @throws IllegalStateException when no backend can start, e.g. the CUDA build on a host
   *     without CUDA 11.6 libraries or a GPU; the message says so in one line
   */
  public static Backend current() {
    Properties env;
    try {
      env = Nd4j.getExecutioner().getEnvironmentInformation();
    } catch (ExceptionInInitializerError | NoClassDefFoundError | UnsatisfiedLinkError e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new IllegalStateException("no usable ND4J backend (" + root.getClass().getSimpleName()
          + ": " + String.valueOf(root.getMessage()).lines().findFirst().orElse("")
          + "); a -Pcuda build needs an NVIDIA GPU with CUDA 11.6 and cuDNN 8.3 libraries", e);
    }
    String backend = String.valueOf(env.getOrDefault("backend",
        Nd4j.getBackend().getClass().getSimpleName()));
    Object cuda = env.get("cuda.devicesInformation");
    String devices = cuda != null ? cuda.toString()
        : env.getOrDefault("cores", "?") + " cores, " + env.getOrDefault("omp.threads", "?")
            + " OpenMP threads, BLAS " + env.getOrDefault("blas.vendor", "?");
    return new Backend(backend, devices.replace('\n', ' '));
  }

  @Override
  public String toString() {
    return name + " (" + devices + ")";
  }
}
