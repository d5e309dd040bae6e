// The floor: Node's http answering empty TwiML without reading the request. Env: PORT.
import { createServer } from 'node:http';

const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'text/xml' }).end(TWIML));
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
