build-dev/fcgi/main.o: fcgi/main.c fcgi/../common/first.h \
 fcgi/../common/catalog.h fcgi/../common/tool.h fcgi/../common/config.h \
 fcgi/../common/crypto.h fcgi/../common/log.h fcgi/../common/openapi.h \
 fcgi/../common/catalog.h fcgi/../common/xalloc.h fcgi/pool.h \
 fcgi/streams.h
fcgi/../common/first.h:
fcgi/../common/catalog.h:
fcgi/../common/tool.h:
fcgi/../common/config.h:
fcgi/../common/crypto.h:
fcgi/../common/log.h:
fcgi/../common/openapi.h:
fcgi/../common/catalog.h:
fcgi/../common/xalloc.h:
fcgi/pool.h:
fcgi/streams.h:
