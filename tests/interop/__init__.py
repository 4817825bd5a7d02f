"""rustssl against TLS stacks that are not Python: OpenSSL, nginx, curl and GnuTLS."""
