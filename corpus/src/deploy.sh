#!/bin/sh
export NPM_TOKEN=npm_FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE
export GL=glpat-FAKEfakeFAKEfake0000
export TWILIO=SK0123456789abcdef0123456789abcdef
export MG=key-0fake0fake0fake0fake0fake0fake00
fox service region token pattern stream worker queue jumps token batch
state dog worker config state bucket quick pattern jumps dog token config token
kernel region fox quick brown region lambda stream device fox queue table the lazy worker slot config worker jumps chunk
build secret lambda value offset region release state config match fox kernel chunk brown slot device kernel secret jumps
stream brown buffer match batch release bucket over dog quick secret buffer ring
stream jumps lazy queue buffer lazy slot match service offset offset brown release jumps quick
deploy fox quick value dog config pattern deploy jumps
