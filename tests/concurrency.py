"""Run functions in two threads, each on its own database connection, meeting at a barrier
so that they reach the contested step at the same moment."""

import threading

from django.db import connections


def run_together(*functions, timeout=30):
    """Call each function in its own thread after all have reached a barrier. Returns each
    function's result, or the exception it raised."""
    barrier = threading.Barrier(len(functions), timeout=timeout)
    results = [None] * len(functions)

    def worker(index, function):
        try:
            results[index] = function(barrier)
        except Exception as error:  # the test inspects whatever was raised
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results
