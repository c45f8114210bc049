"""The interfaces use cases depend on: a unit of work with one repository per aggregate,
and the clock, scheduler and message delivery. Adapters implement them (DynamoDB, SES,
SNS, EventBridge Scheduler); tests use the in-memory fakes in `tests/fakes`, which keep
the same rules and pass the same contract tests."""
