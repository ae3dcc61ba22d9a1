build-dev/fcgi/fcgi_rec.o: fcgi/fcgi_rec.c fcgi/../common/first.h \
 fcgi/fcgi_rec.h fcgi/../common/buf.h
fcgi/../common/first.h:
fcgi/fcgi_rec.h:
fcgi/../common/buf.h:
