build-dev/fcgi/pool.o: fcgi/pool.c fcgi/../common/first.h \
 fcgi/../common/catalog.h fcgi/../common/tool.h fcgi/../common/search.h \
 fcgi/../common/catalog.h fcgi/../common/config.h fcgi/../common/crypto.h \
 fcgi/../common/log.h fcgi/../common/metrics.h fcgi/../common/buf.h \
 fcgi/../common/record.h fcgi/pool.h fcgi/serve.h
fcgi/../common/first.h:
fcgi/../common/catalog.h:
fcgi/../common/tool.h:
fcgi/../common/search.h:
fcgi/../common/catalog.h:
fcgi/../common/config.h:
fcgi/../common/crypto.h:
fcgi/../common/log.h:
fcgi/../common/metrics.h:
fcgi/../common/buf.h:
fcgi/../common/record.h:
fcgi/pool.h:
fcgi/serve.h:
