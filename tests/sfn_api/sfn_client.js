// The JavaScript SDK v3 against `pysfn-emulate serve`: create a machine, run it, answer its
// task token, read the history. Prints one JSON object for the Python test to check.
// usage: node sfn_client.js ENDPOINT_URL  (with PYSFN_SFN_SDK_JS naming a node_modules folder
// that holds @aws-sdk/client-sfn)
const path = require("path");
const sdk = require(path.join(process.env.PYSFN_SFN_SDK_JS, "@aws-sdk/client-sfn"));

async function main() {
  const client = new sdk.SFNClient({
    endpoint: process.argv[2],
    region: "us-east-1",
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    disableHostPrefix: true,
  });
  const definition = JSON.parse(process.argv[3]);
  const created = await client.send(new sdk.CreateStateMachineCommand({
    name: "js-machine", definition: JSON.stringify(definition), roleArn: "arn:aws:iam::123456789012:role/test",
  }));
  const started = await client.send(new sdk.StartExecutionCommand({
    stateMachineArn: created.stateMachineArn, name: "js-run", input: JSON.stringify({ order: 7 }),
  }));
  const running = await client.send(new sdk.DescribeExecutionCommand({ executionArn: started.executionArn }));
  const waiting = await client.send(new sdk.GetExecutionHistoryCommand({ executionArn: started.executionArn }));
  const scheduled = waiting.events.filter((e) => e.type === "TaskScheduled").pop();
  const token = JSON.parse(scheduled.taskScheduledEventDetails.parameters).Payload.token;
  await client.send(new sdk.SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true }) }));
  const done = await client.send(new sdk.DescribeExecutionCommand({ executionArn: started.executionArn }));
  const history = await client.send(new sdk.GetExecutionHistoryCommand({ executionArn: started.executionArn }));
  let missing = null;
  try {
    await client.send(new sdk.DescribeExecutionCommand({ executionArn: started.executionArn + "-nope" }));
  } catch (error) {
    missing = { name: error.name, message: error.message };
  }
  console.log(JSON.stringify({
    runningStatus: running.status,
    status: done.status,
    output: JSON.parse(done.output),
    startIsDate: done.startDate instanceof Date,
    types: history.events.map((e) => e.type),
    missing,
  }));
}

main().catch((error) => { console.error(error); process.exit(1); });
