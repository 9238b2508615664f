/**
 * What `meterwire read --help` prints after the options: the source and output URL kinds with their main
 * parameters, and examples. Static text, so the help loads no driver; a test checks it names every source and
 * output kind the reader accepts.
 */
export const READ_HELP = `
Sources (SOURCE):
  serial:///dev/ttyUSB0?baud=2400&parity=even  a serial port (line settings: --profile)
  tcp://192.168.1.50:2001                      ser2net, socat, Wi-Fi P1 dongles
  tcp-listen://192.168.1.10:4059               gateways that connect in (:4059 alone: loopback)
  mqtt://user:pass@broker:1883/topic           raw frames from an ESP gateway (binary/hex/base64)
  file:capture.bin?pace=baud&loop=1            replay a capture (binary or hex text)
  -                                            stdin (binary or hex text)
  sim:PROFILE?interval=1000                    a simulated meter (no SOURCE: the demo EVN meter)

Outputs (--output URL, repeatable; default: - for stdout):
  -                                            JSON lines on stdout (--pretty: a table)
  mqtt://user:pass@broker:1883/meterwire       per-value topics, Home Assistant discovery
                                               (?discovery=0, ?values=0 turn them off; mqtts://…)
  sqlite:./data/meterwire.db?retention=90d     history and local-time rollups (?tz=Europe/Vienna; meterwire export)
  postgres://user@host/db, mysql://user@host/db  the same schema in PostgreSQL, MySQL/MariaDB
  influx://user:pass@host:8086/db              InfluxDB 1.x line protocol (influx2://host:8086?org=…&bucket=…&token=…)
  mongodb://host:27017/meterwire               one document per message (?collection=…)
  dsmr-tcp://127.0.0.1:2001?spec=5             DSMR P1 telegrams (dsmr_parser, Home Assistant DSMR: spec=5|5L|5B)
  prometheus://127.0.0.1:9464                  metrics at /metrics
  web://127.0.0.1:8080                         the dashboard (another address needs ?token=…)
  Listening outputs bind to 127.0.0.1 unless the URL names an address (0.0.0.0: all interfaces).

Examples:
  meterwire read serial:///dev/ttyUSB0 --profile at-evn-sagemcom-t210d --key <GUEK>
  meterwire read tcp://192.168.1.50:2001 --key <GUEK> --output - --output mqtt://127.0.0.1:1883
  meterwire read --count 3 --pretty             the built-in simulated meter, three messages
`;
