"""Each API's response envelope, built in one place per API.

The recordings builder (``replay.builder``), the replay server (``replay.recordings``) and the
ingestion tests' small recordings (``tests/ingestion/recorded.py``) all wrap payloads with these
functions, so an envelope is stated once. The production sources in ``ingestion/`` unwrap the
same envelopes on their own: they must not depend on the test double.
"""
