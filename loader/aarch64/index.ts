/** The aarch64 mono-image: what `nova-image build --arch aarch64` calls. */
export { buildAarch64Image, defaultAarch64Paths, type Aarch64BuildOptions, type Aarch64BuildResult } from './build.js';
export { composeAarch64Image, type Aarch64ComposeOptions, type Aarch64ImageLayout, type Aarch64Launch } from './mono-image.js';
export { loadAarch64Inputs, validateAarch64Kernel, validateAarch64Root } from './inputs.js';
export { loadAarch64Stub } from './stub-artifacts.js';
