build-dev/common/sentinel.o: common/sentinel.c common/first.h \
 common/log.h common/store.h common/scope.h common/apikey.h \
 common/store_private.h
common/first.h:
common/log.h:
common/store.h:
common/scope.h:
common/apikey.h:
common/store_private.h:
