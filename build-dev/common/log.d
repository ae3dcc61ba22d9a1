build-dev/common/log.o: common/log.c common/first.h common/buf.h \
 common/json.h common/log.h
common/first.h:
common/buf.h:
common/json.h:
common/log.h:
