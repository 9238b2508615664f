/**
 * Lists serial ports for `meterwire ports` and setup hints. SerialPort.list() shells out to `udevadm` on Linux
 * and takes the process down when that binary is missing (containers, minimal images), so on Linux without
 * udevadm the ports are read from sysfs instead: /sys/class/tty/<name>/device, walking up to the USB device for
 * its ids, plus the stable /dev/serial/by-id names when udev created them.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { SerialPort } from 'serialport';

export interface SerialPortInfo {
  path: string;
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  /** Product name from the USB descriptor, when known. */
  product?: string;
  /** Stable /dev/serial/by-id/… alias: survives re-plugging, unlike /dev/ttyUSB0. */
  byId?: string;
}

function readText(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text || undefined;
  } catch {
    return undefined;
  }
}

function hasUdevadm(): boolean {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return [...dirs, '/sbin', '/usr/sbin', '/bin', '/usr/bin'].some((d) => existsSync(join(d, 'udevadm')));
}

/** Maps /dev/ttyX to its /dev/serial/by-id alias. */
function byIdAliases(devRoot: string): Map<string, string> {
  const aliases = new Map<string, string>();
  const dir = join(devRoot, 'serial', 'by-id');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return aliases;
  }
  for (const name of names) {
    try {
      aliases.set(basename(realpathSync(join(dir, name))), join(dir, name));
    } catch {
      // A dangling alias (device just unplugged) is simply skipped.
    }
  }
  return aliases;
}

/** Walks up from the tty's device directory to the USB device, the first ancestor with an idVendor file. */
function usbDetails(deviceDir: string, sysRoot: string): Partial<SerialPortInfo> {
  let dir = deviceDir;
  for (let depth = 0; depth < 8 && dir.startsWith(sysRoot) && dir !== sysRoot; depth++) {
    const vendorId = readText(join(dir, 'idVendor'));
    if (vendorId) {
      return {
        vendorId,
        productId: readText(join(dir, 'idProduct')),
        manufacturer: readText(join(dir, 'manufacturer')),
        product: readText(join(dir, 'product')),
        serialNumber: readText(join(dir, 'serial')),
      };
    }
    dir = dirname(dir);
  }
  return {};
}

function withoutUndefined(info: SerialPortInfo): SerialPortInfo {
  return Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) as unknown as SerialPortInfo;
}

/** The sysfs listing; roots are parameters so tests can point it at a fake tree. */
export function listSerialPortsFromSysfs(sysRoot = '/sys', devRoot = '/dev'): SerialPortInfo[] {
  const classDir = join(sysRoot, 'class', 'tty');
  let names: string[];
  try {
    names = readdirSync(classDir);
  } catch {
    return [];
  }
  const aliases = byIdAliases(devRoot);
  const ports: SerialPortInfo[] = [];
  for (const name of names.sort()) {
    let deviceDir: string;
    try {
      deviceDir = realpathSync(join(classDir, name, 'device'));
    } catch {
      continue; // virtual terminals and ptys have no device
    }
    const usb = usbDetails(deviceDir, realpathSync(sysRoot));
    const driver = basename(safeRealpath(join(deviceDir, 'driver')) ?? '');
    // The legacy 8250 driver registers ttyS0..31 whether or not a UART exists; only list those with a USB parent.
    if (driver === 'serial8250' && !usb.vendorId) continue;
    ports.push(withoutUndefined({ path: join(devRoot, name), ...usb, byId: aliases.get(name) }));
  }
  return ports;
}

function safeRealpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

export async function listSerialPorts(): Promise<SerialPortInfo[]> {
  if (process.platform === 'linux' && !hasUdevadm()) return listSerialPortsFromSysfs();
  try {
    const aliases = process.platform === 'linux' ? byIdAliases('/dev') : new Map<string, string>();
    const found = await SerialPort.list();
    return found.map((p) =>
      withoutUndefined({
        path: p.path,
        manufacturer: p.manufacturer,
        vendorId: p.vendorId,
        productId: p.productId,
        serialNumber: p.serialNumber,
        byId: aliases.get(basename(p.path)),
      }),
    );
  } catch {
    return process.platform === 'linux' ? listSerialPortsFromSysfs() : [];
  }
}
