"""The Redis transport of Celery's broker, with one repair to kombu's: a worker that loses
Redis while it holds a task it has not acknowledged must not exit for good.

On losing the broker, the worker's consumer closes its connection, and the channel, closing,
restores its unacknowledged messages to Redis; by then kombu has dropped the connection's
details, so finding Redis's address raised AttributeError (kombu issue 582), an "unrecoverable
error" that stopped the worker instead of the connection error the consumer retries. Here the
channel keeps the details it was opened with: restoring fails as Redis is down, with the
connection error the consumer expects, and it reconnects once Redis is back. The messages stay
in Redis's unacknowledged set meanwhile and come back after the visibility timeout.
Proved by tests/faults/test_worker.py (Redis lost while the worker holds a recompute)."""

from kombu.transport import redis


class Channel(redis.Channel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._broker = self.connection.client  # the kombu Connection it was opened for

    def _connparams(self, asynchronous=False):
        transport = self.connection
        if transport.client is not None:
            return super()._connparams(asynchronous=asynchronous)
        transport.client = self._broker
        try:
            return super()._connparams(asynchronous=asynchronous)
        finally:
            transport.client = None


class Transport(redis.Transport):
    Channel = Channel
