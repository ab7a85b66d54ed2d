// What the objfs CSI code accepts as StorageClass parameters and volume
// attributes, read from its source (src/csi/volume_params.cc), so that the
// examples cannot drift from the implementation. The extraction looks for
// the key comparisons and key sets that file is written with:
//   key == "provisioningMode"           a parameter handled by name
//   keys = {"endpoint", "region", ...}  StoreKeys() / MountKeys()
//   number("capacityBytes", 10)         a volume-context number
//   mode == "bucket"                    a provisioning mode
import fs from 'node:fs';
import path from 'node:path';
import { SOURCE_ROOT } from './repo.mjs';

export const VOLUME_PARAMS_SOURCE = path.join(SOURCE_ROOT, 'src', 'csi', 'volume_params.cc');

export function csiSourceKeys() {
  const src = fs.readFileSync(VOLUME_PARAMS_SOURCE, 'utf8');
  const named = [...src.matchAll(/\bkey == "([A-Za-z]+)"/g)].map((m) => m[1]);
  const sets = [...src.matchAll(/keys = \{([^}]*)\}/g)].map((m) => [...m[1].matchAll(/"([A-Za-z]+)"/g)].map((x) => x[1]));
  const numbers = [...src.matchAll(/number\("([A-Za-z]+)"/g)].map((m) => m[1]);
  const modes = [...src.matchAll(/\bmode == "([a-z]+)"/g)].map((m) => m[1]);
  const [storeKeys = [], mountKeys = []] = sets;
  return {
    // Keys ParseVolumeParams accepts in a StorageClass.
    parameters: new Set([...named, ...storeKeys, ...mountKeys]),
    // Keys a static volume's attributes may carry (bucket and prefix say
    // where the data is; the rest as in a StorageClass, plus capacityBytes).
    attributes: new Set(['bucket', 'prefix', ...storeKeys, ...mountKeys, ...numbers]),
    modes: new Set(modes),
  };
}
