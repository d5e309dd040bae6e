// The reference for Slack interactions: a bare Bolt app (ExpressReceiver, signature verified) whose only
// listener acknowledges every block action and does nothing else. Env: PORT, SLACK_SIGNING_SECRET.
import bolt from '@slack/bolt';

const { App, ExpressReceiver, LogLevel } = bolt;
const receiver = new ExpressReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  endpoints: '/slack/events',
  processBeforeResponse: false,
});
const app = new App({
  receiver,
  authorize: async () => ({ botToken: 'xoxb-reference', botUserId: 'U0BOT', botId: 'B0BOT' }),
  logLevel: LogLevel.ERROR,
});
app.action(/.*/, async ({ ack }) => {
  await ack();
});
const server = receiver.app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
