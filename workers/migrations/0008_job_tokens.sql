-- Participation tokens: a token bound to one federated job (docs/architecture.md, "Federated jobs"). It carries the
-- `federate` scope only, and the federated routes refuse it for any other job, so a join link handed to other
-- people's devices opens that job and nothing else in the workspace. NULL for every ordinary token.
ALTER TABLE tokens ADD COLUMN federated_job TEXT;
