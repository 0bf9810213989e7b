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

  /** The backend of this process (initialises ND4J if it is not yet). */
  public static Backend current() {
    Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
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
