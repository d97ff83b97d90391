"""What operators watch the hub with: request ids and structured logs
(``logcontext``, ``jsonlog``, ``requests``) and Prometheus metrics (``metrics``)."""
