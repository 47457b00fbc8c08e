import os

# FAKE credentials for tests
TOKEN = 'gho_EXAMPLE0EXAMPLE0EXAMPLE0EXAMPLE0FAKE'
GOOGLE = 'AIzaFAKE_fake-FAKE_fake-FAKE_fake-FAKE0'
APP = 'ghs_0FAKE0FAKE0FAKE0FAKE0FAKE0FAKE0FAKEX'
def f0(x):
    return x + 0
def f1(x):
    return x + 1
def f2(x):
    return x + 2
def f3(x):
    return x + 3
def f4(x):
    return x + 4
def f5(x):
    return x + 5
def f6(x):
    return x + 6
def f7(x):
    return x + 7
def f8(x):
    return x + 8
def f9(x):
    return x + 9
def f10(x):
    return x + 10
def f11(x):
    return x + 11
def f12(x):
    return x + 12
def f13(x):
    return x + 13
def f14(x):
    return x + 14
def f15(x):
    return x + 15
def f16(x):
    return x + 16
def f17(x):
    return x + 17
def f18(x):
    return x + 18
def f19(x):
    return x + 19
def f20(x):
    return x + 20
def f21(x):
    return x + 21
def f22(x):
    return x + 22
def f23(x):
    return x + 23
def f24(x):
    return x + 24
def f25(x):
    return x + 25
def f26(x):
    return x + 26
def f27(x):
    return x + 27
def f28(x):
    return x + 28
def f29(x):
    return x + 29
def f30(x):
    return x + 30
def f31(x):
    return x + 31
def f32(x):
    return x + 32
def f33(x):
    return x + 33
def f34(x):
    return x + 34
def f35(x):
    return x + 35
def f36(x):
    return x + 36
def f37(x):
    return x + 37
def f38(x):
    return x + 38
def f39(x):
    return x + 39
def f40(x):
    return x + 40
def f41(x):
    return x + 41
def f42(x):
    return x + 42
def f43(x):
    return x + 43
def f44(x):
    return x + 44
def f45(x):
    return x + 45
def f46(x):
    return x + 46
def f47(x):
    return x + 47
def f48(x):
    return x + 48
def f49(x):
    return x + 49
def f50(x):
    return x + 50
def f51(x):
    return x + 51
def f52(x):
    return x + 52
def f53(x):
    return x + 53
def f54(x):
    return x + 54
def f55(x):
    return x + 55
def f56(x):
    return x + 56
def f57(x):
    return x + 57
def f58(x):
    return x + 58
def f59(x):
    return x + 59
def f60(x):
    return x + 60
def f61(x):
    return x + 61
def f62(x):
    return x + 62
def f63(x):
    return x + 63
def f64(x):
    return x + 64
def f65(x):
    return x + 65
def f66(x):
    return x + 66
def f67(x):
    return x + 67
def f68(x):
    return x + 68
def f69(x):
    return x + 69
def f70(x):
    return x + 70
def f71(x):
    return x + 71
def f72(x):
    return x + 72
def f73(x):
    return x + 73
def f74(x):
    return x + 74
def f75(x):
    return x + 75
def f76(x):
    return x + 76
def f77(x):
    return x + 77
def f78(x):
    return x + 78
def f79(x):
    return x + 79
def f80(x):
    return x + 80
def f81(x):
    return x + 81
def f82(x):
    return x + 82
def f83(x):
    return x + 83
def f84(x):
    return x + 84
def f85(x):
    return x + 85
def f86(x):
    return x + 86
def f87(x):
    return x + 87
def f88(x):
    return x + 88
def f89(x):
    return x + 89
def f90(x):
    return x + 90
def f91(x):
    return x + 91
def f92(x):
    return x + 92
def f93(x):
    return x + 93
def f94(x):
    return x + 94
def f95(x):
    return x + 95
def f96(x):
    return x + 96
def f97(x):
    return x + 97
def f98(x):
    return x + 98
def f99(x):
    return x + 99
def f100(x):
    return x + 100
def f101(x):
    return x + 101
def f102(x):
    return x + 102
def f103(x):
    return x + 103
def f104(x):
    return x + 104
def f105(x):
    return x + 105
def f106(x):
    return x + 106
def f107(x):
    return x + 107
def f108(x):
    return x + 108
def f109(x):
    return x + 109
def f110(x):
    return x + 110
def f111(x):
    return x + 111
def f112(x):
    return x + 112
def f113(x):
    return x + 113
def f114(x):
    return x + 114
def f115(x):
    return x + 115
def f116(x):
    return x + 116
def f117(x):
    return x + 117
def f118(x):
    return x + 118
def f119(x):
    return x + 119
def f120(x):
    return x + 120
def f121(x):
    return x + 121
def f122(x):
    return x + 122
def f123(x):
    return x + 123
def f124(x):
    return x + 124
def f125(x):
    return x + 125
def f126(x):
    return x + 126
def f127(x):
    return x + 127
def f128(x):
    return x + 128
def f129(x):
    return x + 129
def f130(x):
    return x + 130
def f131(x):
    return x + 131
def f132(x):
    return x + 132
def f133(x):
    return x + 133
def f134(x):
    return x + 134
def f135(x):
    return x + 135
def f136(x):
    return x + 136
def f137(x):
    return x + 137
def f138(x):
    return x + 138
def f139(x):
    return x + 139
def f140(x):
    return x + 140
def f141(x):
    return x + 141
def f142(x):
    return x + 142
def f143(x):
    return x + 143
def f144(x):
    return x + 144
def f145(x):
    return x + 145
def f146(x):
    return x + 146
def f147(x):
    return x + 147
def f148(x):
    return x + 148
def f149(x):
    return x + 149
def f150(x):
    return x + 150
def f151(x):
    return x + 151
def f152(x):
    return x + 152
def f153(x):
    return x + 153
def f154(x):
    return x + 154
def f155(x):
    return x + 155
def f156(x):
    return x + 156
def f157(x):
    return x + 157
def f158(x):
    return x + 158
def f159(x):
    return x + 159
def f160(x):
    return x + 160
def f161(x):
    return x + 161
def f162(x):
    return x + 162
def f163(x):
    return x + 163
def f164(x):
    return x + 164
def f165(x):
    return x + 165
def f166(x):
    return x + 166
def f167(x):
    return x + 167
def f168(x):
    return x + 168
def f169(x):
    return x + 169
def f170(x):
    return x + 170
def f171(x):
    return x + 171
def f172(x):
    return x + 172
def f173(x):
    return x + 173
def f174(x):
    return x + 174
def f175(x):
    return x + 175
def f176(x):
    return x + 176
def f177(x):
    return x + 177
def f178(x):
    return x + 178
def f179(x):
    return x + 179
def f180(x):
    return x + 180
def f181(x):
    return x + 181
def f182(x):
    return x + 182
def f183(x):
    return x + 183
def f184(x):
    return x + 184
def f185(x):
    return x + 185
def f186(x):
    return x + 186
def f187(x):
    return x + 187
def f188(x):
    return x + 188
def f189(x):
    return x + 189
def f190(x):
    return x + 190
def f191(x):
    return x + 191
def f192(x):
    return x + 192
def f193(x):
    return x + 193
def f194(x):
    return x + 194
def f195(x):
    return x + 195
def f196(x):
    return x + 196
def f197(x):
    return x + 197
def f198(x):
    return x + 198
def f199(x):
    return x + 199
