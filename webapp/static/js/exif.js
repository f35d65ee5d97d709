// Reads the capture time, GPS position and device from a JPEG's EXIF before the photo is
// downscaled (a canvas drops all metadata), so the evidence reaches the server with it.
const TAGS = { make: 0x010f, model: 0x0110, exif: 0x8769, gps: 0x8825, taken: 0x9003, offset: 0x9011 };

function readIfd(view, start, offset, little) {
  const entries = {};
  const count = view.getUint16(start + offset, little);
  for (let i = 0; i < count; i++) {
    const at = start + offset + 2 + i * 12;
    const tag = view.getUint16(at, little);
    const type = view.getUint16(at + 2, little);
    const n = view.getUint32(at + 4, little);
    const sizes = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };
    const size = (sizes[type] || 1) * n;
    const valueAt = size > 4 ? start + view.getUint32(at + 8, little) : at + 8;
    if (type === 2) {
      let text = "";
      for (let j = 0; j < n - 1 && valueAt + j < view.byteLength; j++) text += String.fromCharCode(view.getUint8(valueAt + j));
      entries[tag] = text.trim();
    } else if (type === 5) {
      entries[tag] = Array.from({ length: n }, (_, j) =>
        view.getUint32(valueAt + j * 8, little) / (view.getUint32(valueAt + j * 8 + 4, little) || 1));
    } else if (type === 4) {
      entries[tag] = view.getUint32(valueAt, little);
    } else if (type === 3) {
      entries[tag] = view.getUint16(valueAt, little);
    }
  }
  return entries;
}

function degrees(parts, ref) {
  if (!parts || parts.length < 3) return null;
  const value = parts[0] + parts[1] / 60 + parts[2] / 3600;
  return ref === "S" || ref === "W" ? -value : value;
}

export async function readEvidence(file) {
  try {
    const buffer = await file.slice(0, 256 * 1024).arrayBuffer();
    const view = new DataView(buffer);
    if (view.getUint16(0) !== 0xffd8) return {};
    let at = 2;
    while (at + 4 < view.byteLength) {
      const marker = view.getUint16(at);
      const length = view.getUint16(at + 2);
      if (marker === 0xffe1 && view.getUint32(at + 4) === 0x45786966) {
        const tiff = at + 10;
        const little = view.getUint16(tiff) === 0x4949;
        const ifd0 = readIfd(view, tiff, view.getUint32(tiff + 4, little), little);
        const exif = ifd0[TAGS.exif] ? readIfd(view, tiff, ifd0[TAGS.exif], little) : {};
        const gps = ifd0[TAGS.gps] ? readIfd(view, tiff, ifd0[TAGS.gps], little) : {};
        const evidence = {};
        const taken = exif[TAGS.taken];
        if (taken && /^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d/.test(taken)) {
          evidence.captured_at = taken.slice(0, 10).replaceAll(":", "-") + "T" + taken.slice(11, 19)
            + (exif[TAGS.offset] || "");
        }
        const lat = degrees(gps[2], gps[1]);
        const lon = degrees(gps[4], gps[3]);
        if (lat !== null && lon !== null) evidence.gps = [lat, lon];
        const make = ifd0[TAGS.make] || "";
        const model = ifd0[TAGS.model] || "";
        const device = (model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`).trim();
        if (device) evidence.device = device;
        return evidence;
      }
      if ((marker & 0xff00) !== 0xff00) break;
      at += 2 + length;
    }
  } catch (error) {
    console.warn("EXIF not read", error);
  }
  return {};
}
