"""A gRPC echo service on grpc C-core (Debian python3-grpcio): a second HTTP/2 implementation for
interop tests of the daemon's upstream. Generic handlers, raw bytes (no proto):
  /interop.Echo/Unary   echoes the request; sends response header x-impl: c-core and trailer x-trailer
  /interop.Echo/Bidi    echoes every message
  /interop.Echo/Fail    aborts with INVALID_ARGUMENT, message "bad input", trailer x-why: because
Listens on 127.0.0.1:0 and prints {"port": N} on stdout. Stopped by the test with SIGTERM.
"""
import json
import signal
import sys
from concurrent import futures

import grpc


def unary(request, context):
    context.send_initial_metadata((("x-impl", "c-core"),))
    context.set_trailing_metadata((("x-trailer", "t-" + str(len(request))),))
    return request


def bidi(request_iterator, context):
    for message in request_iterator:
        yield message


def fail(request, context):
    context.set_trailing_metadata((("x-why", "because"),))
    context.abort(grpc.StatusCode.INVALID_ARGUMENT, "bad input")


class Handler(grpc.GenericRpcHandler):
    def service(self, details):
        if details.method == "/interop.Echo/Unary":
            return grpc.unary_unary_rpc_method_handler(unary)
        if details.method == "/interop.Echo/Bidi":
            return grpc.stream_stream_rpc_method_handler(bidi)
        if details.method == "/interop.Echo/Fail":
            return grpc.unary_unary_rpc_method_handler(fail)
        return None


def main():
    options = [("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)]
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), handlers=(Handler(),), options=options)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    signal.signal(signal.SIGTERM, lambda *_: server.stop(0))
    sys.stdout.write(json.dumps({"port": port}) + "\n")
    sys.stdout.flush()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
