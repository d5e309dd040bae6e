// The webhook a district would write by hand: Express, Twilio's own signature check (twilio.webhook()), one
// SQLite insert of the raw message, empty TwiML. The reference the service's inbound figures stand beside.
// Env: PORT, DB_PATH, TWILIO_AUTH_TOKEN, PUBLIC_BASE_URL.
import Database from 'better-sqlite3';
import express from 'express';
import twilio from 'twilio';

const db = new Database(process.env.DB_PATH);
db.pragma('journal_mode = wal');
db.pragma('synchronous = full');
db.exec(`create table if not exists texts (sid text primary key, sender text not null, body text not null,
  received_at integer not null)`);
const insert = db.prepare('insert or ignore into texts (sid, sender, body, received_at) values (?, ?, ?, ?)');

const app = express();
app.post(
  '/sms/inbound',
  express.urlencoded({ extended: false }),
  twilio.webhook(process.env.TWILIO_AUTH_TOKEN, { url: `${process.env.PUBLIC_BASE_URL}/sms/inbound` }),
  (req, res) => {
    insert.run(req.body.MessageSid, req.body.From, req.body.Body ?? '', Date.now());
    res.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  },
);
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
