build-dev/common/apikey.o: common/apikey.c common/first.h common/admin.h \
 common/catalog.h common/tool.h common/crypto.h common/scope.h \
 common/apikey.h common/store.h common/words.h
common/first.h:
common/admin.h:
common/catalog.h:
common/tool.h:
common/crypto.h:
common/scope.h:
common/apikey.h:
common/store.h:
common/words.h:
