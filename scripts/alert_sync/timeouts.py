"""How long alert-sync waits for the workspace: the defaults connection.py applies (each call of
the workspace is bounded, never open-ended). Kept free of imports, so the CLI can show them in its
--help without loading requests or databricks-sdk."""

HTTP_TIMEOUT = 30.0  # seconds a request may wait for its answer (the SDK's default is 60)
RETRY_TIMEOUT = 120  # seconds one call is retried on 429/503 and connection errors (the SDK's default is 300)
CONNECT_TIMEOUT = 10.0  # seconds to open a connection
UNREACHABLE_AFTER = 10.0  # seconds a workspace that never answered is tried for
