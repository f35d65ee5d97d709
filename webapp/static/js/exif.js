// Reads the capture time, GPS position and device from a JPEG's EXIF before the photo is
// downscaled (a canvas drops all metadata), so the evidence reaches the server with it. It
// reads what the server's reader (webapp/photos.py, Pillow) reads, the same way: every field
// type, signed rationals as some Android phones write GPS, strings with or without their
// final NUL; a broken entry costs only itself, never the rest.
const TAGS = { make: 0x010f, model: 0x0110, exif: 0x8769, gps: 0x8825, taken: 0x9003, offset: 0x9011 };
const SIZES = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

function number(view, type, at, little) {
  switch (type) {
    case 1: case 7: return view.getUint8(at);
    case 6: return view.getInt8(at);
    case 3: return view.getUint16(at, little);
    case 8: return view.getInt16(at, little);
    case 4: case 13: return view.getUint32(at, little);
    case 9: return view.getInt32(at, little);
    case 5: return view.getUint32(at, little) / view.getUint32(at + 4, little);
    case 10: return view.getInt32(at, little) / view.getInt32(at + 4, little);
    case 11: return view.getFloat32(at, little);
    default: return view.getFloat64(at, little);
  }
}

function entry(view, tiff, at, little) {
  const type = view.getUint16(at + 2, little);
  const count = view.getUint32(at + 4, little);
  const size = SIZES[type];
  if (!size || count === 0) return undefined;
  const valueAt = size * count > 4 ? tiff + view.getUint32(at + 8, little) : at + 8;
  if (type === 2) {
    let text = "";
    for (let j = 0; j < count && valueAt + j < view.byteLength; j++) {
      const code = view.getUint8(valueAt + j);
      if (code === 0) break;
      text += String.fromCharCode(code);
    }
    return text.trim();
  }
  if (type === 7 && count > 4) return undefined;  // maker notes and other blobs: not needed
  const values = Array.from({ length: Math.min(count, 8) }, (_, j) => number(view, type, valueAt + j * size, little));
  return count === 1 ? values[0] : values;
}

function readIfd(view, tiff, offset, little) {
  const entries = {};
  const start = tiff + offset;
  if (!offset || start + 2 > view.byteLength) return entries;
  const count = view.getUint16(start, little);
  for (let i = 0; i < count; i++) {
    const at = start + 2 + i * 12;
    if (at + 12 > view.byteLength) break;
    try {
      const value = entry(view, tiff, at, little);
      if (value !== undefined) entries[view.getUint16(at, little)] = value;
    } catch (error) {
      // an entry pointing outside the file: skipped, the others still count
    }
  }
  return entries;
}

function degrees(parts, ref) {
  const [d, m = 0, s = 0] = [].concat(parts ?? []);
  const value = d + m / 60 + s / 3600;
  if (!Number.isFinite(value)) return null;
  return /^[SW]/i.test(ref || "") ? -value : value;
}

function capturedAt(exif) {
  const taken = exif[TAGS.taken];
  if (typeof taken !== "string" || !/^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d/.test(taken)) return null;
  const offset = typeof exif[TAGS.offset] === "string" && /^[+-]\d\d:\d\d$/.test(exif[TAGS.offset]) ? exif[TAGS.offset] : "";
  return `${taken.slice(0, 10).replaceAll(":", "-")}T${taken.slice(11, 19)}${offset}`;
}

function position(gps) {
  const lat = degrees(gps[2], gps[1]);
  const lon = degrees(gps[4], gps[3]);
  if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180 || (lat === 0 && lon === 0)) return null;
  return [Math.round(lat * 1e6) / 1e6, Math.round(lon * 1e6) / 1e6];
}

function evidenceOf(view, tiff) {
  const little = view.getUint16(tiff) === 0x4949;
  const ifd0 = readIfd(view, tiff, view.getUint32(tiff + 4, little), little);
  const exif = typeof ifd0[TAGS.exif] === "number" ? readIfd(view, tiff, ifd0[TAGS.exif], little) : {};
  const gps = typeof ifd0[TAGS.gps] === "number" ? readIfd(view, tiff, ifd0[TAGS.gps], little) : {};
  const evidence = {};
  const taken = capturedAt(exif);
  if (taken) evidence.captured_at = taken;
  const where = position(gps);
  if (where) evidence.gps = where;
  const make = typeof ifd0[TAGS.make] === "string" ? ifd0[TAGS.make] : "";
  const model = typeof ifd0[TAGS.model] === "string" ? ifd0[TAGS.model] : "";
  const device = (model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`).trim();
  if (device) evidence.device = device.slice(0, 120);
  return evidence;
}

export async function readEvidence(file) {
  try {
    const buffer = await file.slice(0, 256 * 1024).arrayBuffer();
    const view = new DataView(buffer);
    if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return {};
    let at = 2;
    while (at + 10 < view.byteLength) {
      const marker = view.getUint16(at);
      if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) break;  // image data: no EXIF after it
      if (marker === 0xffe1 && view.getUint32(at + 4) === 0x45786966) return evidenceOf(view, at + 10);
      at += 2 + view.getUint16(at + 2);
    }
  } catch (error) {
    console.warn("EXIF not read", error);
  }
  return {};
}
