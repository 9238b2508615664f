import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSerialPorts, listSerialPortsFromSysfs } from '../src/adapters/serial-ports.js';

const root = mkdtempSync(join(tmpdir(), 'meterwire-sysfs-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

function file(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${text}\n`);
}

/** A fake /sys and /dev: an FTDI USB adapter, a CDC-ACM device, a phantom 8250 port and a virtual console. */
function buildTree(): { sys: string; dev: string } {
  const sys = join(root, 'sys');
  const dev = join(root, 'dev');
  const usb = join(sys, 'devices/pci0000:00/0000:00:14.0/usb1/1-2');
  for (const [k, v] of Object.entries({ idVendor: '0403', idProduct: '6001', manufacturer: 'FTDI', product: 'FT232R USB UART', serial: 'A50285BI' })) file(join(usb, k), v);
  mkdirSync(join(usb, '1-2:1.0/ttyUSB0'), { recursive: true });
  const acm = join(sys, 'devices/pci0000:00/0000:00:14.0/usb1/1-3');
  for (const [k, v] of Object.entries({ idVendor: '2341', idProduct: '0043' })) file(join(acm, k), v);
  mkdirSync(join(acm, '1-3:1.0'), { recursive: true });
  const phantom = join(sys, 'devices/platform/serial8250/tty/ttyS3');
  mkdirSync(phantom, { recursive: true });
  mkdirSync(join(sys, 'bus/platform/drivers/serial8250'), { recursive: true });
  symlinkSync(join(sys, 'bus/platform/drivers/serial8250'), join(phantom, 'driver'));
  const cls = join(sys, 'class/tty');
  for (const n of ['ttyUSB0', 'ttyACM0', 'ttyS3', 'tty1']) mkdirSync(join(cls, n), { recursive: true });
  symlinkSync(join(usb, '1-2:1.0/ttyUSB0'), join(cls, 'ttyUSB0/device'));
  symlinkSync(join(acm, '1-3:1.0'), join(cls, 'ttyACM0/device'));
  symlinkSync(phantom, join(cls, 'ttyS3/device'));
  mkdirSync(join(dev, 'serial/by-id'), { recursive: true });
  writeFileSync(join(dev, 'ttyUSB0'), '');
  symlinkSync(join(dev, 'ttyUSB0'), join(dev, 'serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'));
  symlinkSync(join(dev, 'ttyGONE'), join(dev, 'serial/by-id/usb-dangling'));
  return { sys, dev };
}

test('sysfs listing: USB ids from the parent device, by-id aliases, no phantom or virtual ttys', () => {
  const { sys, dev } = buildTree();
  assert.deepEqual(listSerialPortsFromSysfs(sys, dev), [
    { path: join(dev, 'ttyACM0'), vendorId: '2341', productId: '0043' },
    {
      path: join(dev, 'ttyUSB0'),
      vendorId: '0403',
      productId: '6001',
      manufacturer: 'FTDI',
      product: 'FT232R USB UART',
      serialNumber: 'A50285BI',
      byId: join(dev, 'serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'),
    },
  ]);
});

test('sysfs listing of a missing tree is empty, not an error', () => {
  assert.deepEqual(listSerialPortsFromSysfs(join(root, 'absent'), join(root, 'absent-dev')), []);
});

test('listSerialPorts() on this machine resolves without crashing the process', async () => {
  const ports = await listSerialPorts();
  assert.ok(Array.isArray(ports));
  for (const p of ports) assert.equal(typeof p.path, 'string');
});
