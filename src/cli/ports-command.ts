/** `meterwire ports`: serial ports with their USB vendor/product, so users find their P1/M-Bus adapter. */
import { listSerialPorts } from '../adapters/serial-ports.js';

export async function runPorts(flags: { json?: boolean }): Promise<number> {
  const ports = await listSerialPorts();
  if (flags.json) {
    process.stdout.write(JSON.stringify(ports) + '\n');
    return 0;
  }
  if (ports.length === 0) {
    process.stdout.write('no serial ports found: plug in the adapter, then check `dmesg | tail` for its name\n');
    return 0;
  }
  for (const p of ports) {
    const usb = p.vendorId ? ` USB ${p.vendorId}:${p.productId}` : '';
    const name = [p.manufacturer, p.product].filter(Boolean).join(' ');
    process.stdout.write(`${p.path}${usb}${name ? ` ${name}` : ''}${p.serialNumber ? ` serial ${p.serialNumber}` : ''}${p.byId ? ` (${p.byId})` : ''}\n`);
  }
  return 0;
}
