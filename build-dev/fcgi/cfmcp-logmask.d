build-dev/fcgi/cfmcp-logmask.o: fcgi/cfmcp-logmask.c \
 fcgi/../common/first.h
fcgi/../common/first.h:
