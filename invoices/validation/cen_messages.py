"""Swedish texts of the EN 16931 rules, for the findings of the CEN layer.

Plain-language renderings of the official English texts (EN 16931-1 business rules) for the
rules a Swedish invoice meets most. Any rule not listed gets a Swedish lead-in and the English.
"""

CEN_SV: dict[str, str] = {
    "BR-01": "Fakturan ska ange specifikationsidentifierare (BT-24, CustomizationID).",
    "BR-02": "Fakturan ska ha ett fakturanummer (BT-1).",
    "BR-03": "Fakturan ska ha ett fakturadatum (BT-2).",
    "BR-04": "Fakturan ska ha en fakturatypkod (BT-3).",
    "BR-05": "Fakturan ska ange fakturans valuta (BT-5).",
    "BR-06": "Fakturan ska innehålla säljarens namn (BT-27).",
    "BR-07": "Fakturan ska innehålla köparens namn (BT-44).",
    "BR-08": "Fakturan ska innehålla säljarens postadress (BG-5).",
    "BR-09": "Säljarens postadress (BG-5) ska innehålla en landskod (BT-40).",
    "BR-10": "Fakturan ska innehålla köparens postadress (BG-8).",
    "BR-11": "Köparens postadress (BG-8) ska innehålla en landskod (BT-55).",
    "BR-12": "Fakturan ska ange summan av radernas nettobelopp (BT-106).",
    "BR-13": "Fakturan ska ange totalbeloppet exklusive moms (BT-109).",
    "BR-14": "Fakturan ska ange totalbeloppet inklusive moms (BT-112).",
    "BR-15": "Fakturan ska ange belopp att betala (BT-115).",
    "BR-16": "Fakturan ska ha minst en fakturarad (BG-25).",
    "BR-17": "Betalningsmottagarens namn (BT-59) ska anges när betalningsmottagaren (BG-10) "
    "är en annan än säljaren.",
    "BR-18": "Skatterepresentantens namn (BT-62) ska anges när säljaren har en "
    "skatterepresentant (BG-11).",
    "BR-19": "Skatterepresentantens postadress (BG-12) ska anges när säljaren har en "
    "skatterepresentant (BG-11).",
    "BR-20": "Skatterepresentantens postadress (BG-12) ska innehålla en landskod (BT-69).",
    "BR-21": "Varje fakturarad (BG-25) ska ha en radidentifierare (BT-126).",
    "BR-22": "Varje fakturarad (BG-25) ska ha en fakturerad kvantitet (BT-129).",
    "BR-23": "Varje fakturarad (BG-25) ska ha en enhetskod för kvantiteten (BT-130).",
    "BR-24": "Varje fakturarad (BG-25) ska ha ett nettobelopp (BT-131).",
    "BR-25": "Varje fakturarad (BG-25) ska ha ett artikelnamn (BT-153).",
    "BR-26": "Varje fakturarad (BG-25) ska ha ett nettopris (BT-146).",
    "BR-27": "Artikelns nettopris (BT-146) får inte vara negativt.",
    "BR-28": "Artikelns bruttopris (BT-148) får inte vara negativt.",
    "BR-29": "Faktureringsperiodens slutdatum (BT-74) får inte vara före dess startdatum (BT-73).",
    "BR-30": "Radperiodens slutdatum (BT-135) får inte vara före dess startdatum (BT-134).",
    "BR-31": "Varje rabatt på dokumentnivå (BG-20) ska ha ett belopp (BT-92).",
    "BR-32": "Varje rabatt på dokumentnivå (BG-20) ska ha en momskategorikod (BT-95).",
    "BR-33": "Varje rabatt på dokumentnivå (BG-20) ska ha en orsak (BT-97) eller en "
    "orsakskod (BT-98).",
    "BR-36": "Varje avgift på dokumentnivå (BG-21) ska ha ett belopp (BT-99).",
    "BR-37": "Varje avgift på dokumentnivå (BG-21) ska ha en momskategorikod (BT-102).",
    "BR-38": "Varje avgift på dokumentnivå (BG-21) ska ha en orsak (BT-104) eller en "
    "orsakskod (BT-105).",
    "BR-41": "Varje radrabatt (BG-27) ska ha ett belopp (BT-136).",
    "BR-42": "Varje radrabatt (BG-27) ska ha en orsak (BT-139) eller en orsakskod (BT-140).",
    "BR-43": "Varje radavgift (BG-28) ska ha ett belopp (BT-141).",
    "BR-44": "Varje radavgift (BG-28) ska ha en orsak (BT-144) eller en orsakskod (BT-145).",
    "BR-45": "Varje momsspecifikation (BG-23) ska ange beskattningsunderlaget (BT-116).",
    "BR-46": "Varje momsspecifikation (BG-23) ska ange momsbeloppet (BT-117).",
    "BR-47": "Varje momsspecifikation (BG-23) ska ange en momskategorikod (BT-118).",
    "BR-48": "Varje momsspecifikation (BG-23) ska ange en momssats (BT-119), utom när fakturan "
    "inte omfattas av moms.",
    "BR-49": "En betalningsinstruktion (BG-16) ska ange betalningssätt (BT-81).",
    "BR-50": "Kontonummer för betalning (BT-84) ska anges när fakturan innehåller uppgifter om "
    "kontoöverföring (BG-17).",
    "BR-51": "Ett fullständigt kortnummer (BT-87) får aldrig stå på en faktura; högst de sex "
    "första och fyra sista siffrorna får visas.",
    "BR-52": "Varje bilaga (BG-24) ska ha en referens (BT-122).",
    "BR-53": "När en valuta för momsredovisning (BT-6) anges ska fakturans totala moms i den "
    "valutan (BT-111) också anges.",
    "BR-54": "Varje artikelegenskap (BG-32) ska ha både namn (BT-160) och värde (BT-161).",
    "BR-55": "Varje referens till tidigare faktura (BG-3) ska ange den fakturans nummer (BT-25).",
    "BR-56": "Säljarens skatterepresentant (BG-11) ska ha ett momsregistreringsnummer (BT-63).",
    "BR-57": "Varje leveransadress (BG-15) ska innehålla en landskod (BT-80).",
    "BR-61": "Vid kontoöverföring (betalningssätt 30, 58 eller motsvarande) ska kontonummer "
    "för betalning (BT-84) anges.",
    "BR-62": "Säljarens elektroniska adress (BT-34) ska ha en identifierartyp (schemeID).",
    "BR-63": "Köparens elektroniska adress (BT-49) ska ha en identifierartyp (schemeID).",
    "BR-64": "Artikelns standardidentifierare (BT-157) ska ha en identifierartyp (schemeID).",
    "BR-65": "Artikelns klassificeringskod (BT-158) ska ha en identifierartyp (listID).",
    "BR-CO-03": "Momsdatum (BT-7) och kod för momsdatum (BT-8) får inte anges samtidigt.",
    "BR-CO-04": "Varje fakturarad (BG-25) ska ha en momskategorikod (BT-151).",
    "BR-CO-05": "Orsakskoden (BT-98) och orsaken (BT-97) för en rabatt på dokumentnivå ska "
    "betyda samma sak.",
    "BR-CO-06": "Orsakskoden (BT-105) och orsaken (BT-104) för en avgift på dokumentnivå ska "
    "betyda samma sak.",
    "BR-CO-07": "Orsakskoden (BT-140) och orsaken (BT-139) för en radrabatt ska betyda samma sak.",
    "BR-CO-08": "Orsakskoden (BT-145) och orsaken (BT-144) för en radavgift ska betyda samma sak.",
    "BR-CO-09": "Momsregistreringsnummer (BT-31, BT-48, BT-63) ska börja med landskoden enligt "
    "ISO 3166-1 alpha-2 (till exempel SE); Grekland får använda EL.",
    "BR-CO-10": "Summan av radbeloppen (BT-106) ska vara lika med summan av alla fakturaraders "
    "nettobelopp (BT-131).",
    "BR-CO-11": "Summan av rabatter på dokumentnivå (BT-107) ska vara lika med summan av "
    "rabattbeloppen (BT-92).",
    "BR-CO-12": "Summan av avgifter på dokumentnivå (BT-108) ska vara lika med summan av "
    "avgiftsbeloppen (BT-99).",
    "BR-CO-13": "Totalbelopp exklusive moms (BT-109) ska vara summan av radernas nettobelopp "
    "(BT-131) minus rabatter (BT-107) plus avgifter (BT-108) på dokumentnivå.",
    "BR-CO-14": "Fakturans totala moms (BT-110) ska vara summan av momsbeloppen i "
    "momsspecifikationen (BT-117).",
    "BR-CO-15": "Totalbelopp inklusive moms (BT-112) ska vara totalbelopp exklusive moms "
    "(BT-109) plus total moms (BT-110).",
    "BR-CO-16": "Belopp att betala (BT-115) ska vara totalbelopp inklusive moms (BT-112) minus "
    "redan betalt belopp (BT-113) plus öresavrundning (BT-114).",
    "BR-CO-17": "Momsbeloppet (BT-117) ska vara beskattningsunderlaget (BT-116) gånger "
    "momssatsen (BT-119) / 100, avrundat till två decimaler.",
    "BR-CO-18": "Fakturan ska ha minst en momsspecifikation (BG-23).",
    "BR-CO-19": "Om en faktureringsperiod (BG-14) anges ska den ha ett startdatum (BT-73), "
    "ett slutdatum (BT-74) eller båda.",
    "BR-CO-20": "Om en radperiod (BG-26) anges ska den ha ett startdatum (BT-134), ett "
    "slutdatum (BT-135) eller båda.",
    "BR-CO-21": "Varje rabatt på dokumentnivå (BG-20) ska ha en orsak (BT-97), en orsakskod "
    "(BT-98) eller båda.",
    "BR-CO-22": "Varje avgift på dokumentnivå (BG-21) ska ha en orsak (BT-104), en orsakskod "
    "(BT-105) eller båda.",
    "BR-CO-23": "Varje radrabatt (BG-27) ska ha en orsak (BT-139), en orsakskod (BT-140) eller "
    "båda.",
    "BR-CO-24": "Varje radavgift (BG-28) ska ha en orsak (BT-144), en orsakskod (BT-145) eller "
    "båda.",
    "BR-CO-26": "För att köparen ska kunna identifiera säljaren ska säljarens identifierare "
    "(BT-29), organisationsnummer (BT-30) eller momsregistreringsnummer (BT-31) anges.",
    "BR-S-01": "En faktura med rader, rabatter eller avgifter med momskategori S (normalmoms) "
    "ska ha minst en momsspecifikation (BG-23) med kategori S.",
    "BR-S-02": "En fakturarad med momskategori S kräver säljarens momsregistreringsnummer "
    "(BT-31), skatteregistrering (BT-32) eller skatterepresentantens momsnummer (BT-63).",
    "BR-S-03": "En rabatt på dokumentnivå med momskategori S kräver säljarens "
    "momsregistreringsnummer (BT-31), skatteregistrering (BT-32) eller skatterepresentantens "
    "momsnummer (BT-63).",
    "BR-S-04": "En avgift på dokumentnivå med momskategori S kräver säljarens "
    "momsregistreringsnummer (BT-31), skatteregistrering (BT-32) eller skatterepresentantens "
    "momsnummer (BT-63).",
    "BR-S-05": "På en fakturarad med momskategori S ska momssatsen (BT-152) vara större än noll.",
    "BR-S-06": "För en rabatt på dokumentnivå med momskategori S ska momssatsen (BT-96) vara "
    "större än noll.",
    "BR-S-07": "För en avgift på dokumentnivå med momskategori S ska momssatsen (BT-103) vara "
    "större än noll.",
    "BR-S-08": "För varje momssats i kategori S ska beskattningsunderlaget (BT-116) vara summan "
    "av radernas nettobelopp plus avgifter minus rabatter med samma kategori och sats.",
    "BR-S-09": "Momsbeloppet (BT-117) för kategori S ska vara beskattningsunderlaget (BT-116) "
    "gånger momssatsen (BT-119).",
    "BR-S-10": "En momsspecifikation med kategori S får inte ha någon undantagsorsak (BT-120, "
    "BT-121).",
    "BR-Z-01": "En faktura med rader, rabatter eller avgifter med momskategori Z (nollskattat) "
    "ska ha exakt en momsspecifikation (BG-23) med kategori Z.",
    "BR-Z-02": "En fakturarad med momskategori Z kräver säljarens momsregistreringsnummer "
    "(BT-31), skatteregistrering (BT-32) eller skatterepresentantens momsnummer (BT-63).",
    "BR-Z-03": "En rabatt på dokumentnivå med momskategori Z kräver säljarens "
    "momsregistreringsnummer (BT-31), skatteregistrering (BT-32) eller skatterepresentantens "
    "momsnummer (BT-63).",
    "BR-Z-04": "En avgift på dokumentnivå med momskategori Z kräver säljarens "
    "momsregistreringsnummer (BT-31), skatteregistrering (BT-32) eller skatterepresentantens "
    "momsnummer (BT-63).",
    "BR-Z-05": "På en fakturarad med momskategori Z ska momssatsen (BT-152) vara 0.",
    "BR-Z-06": "För en rabatt på dokumentnivå med momskategori Z ska momssatsen (BT-96) vara 0.",
    "BR-Z-07": "För en avgift på dokumentnivå med momskategori Z ska momssatsen (BT-103) vara 0.",
    "BR-Z-08": "Beskattningsunderlaget (BT-116) för kategori Z ska vara summan av radernas "
    "nettobelopp minus rabatter plus avgifter med kategori Z.",
    "BR-Z-09": "Momsbeloppet (BT-117) för kategori Z ska vara 0.",
    "BR-Z-10": "En momsspecifikation med kategori Z får inte ha någon undantagsorsak (BT-120, "
    "BT-121).",
    "BR-E-01": "En faktura med rader, rabatter eller avgifter med momskategori E "
    "(momsbefriat) ska ha exakt en momsspecifikation (BG-23) med kategori E.",
    "BR-E-02": "En fakturarad med momskategori E kräver säljarens momsregistreringsnummer "
    "(BT-31), skatteregistrering (BT-32) eller skatterepresentantens momsnummer (BT-63).",
    "BR-E-03": "En rabatt på dokumentnivå med momskategori E kräver säljarens "
    "momsregistreringsnummer (BT-31), skatteregistrering (BT-32) eller skatterepresentantens "
    "momsnummer (BT-63).",
    "BR-E-04": "En avgift på dokumentnivå med momskategori E kräver säljarens "
    "momsregistreringsnummer (BT-31), skatteregistrering (BT-32) eller skatterepresentantens "
    "momsnummer (BT-63).",
    "BR-E-05": "På en fakturarad med momskategori E ska momssatsen (BT-152) vara 0.",
    "BR-E-06": "För en rabatt på dokumentnivå med momskategori E ska momssatsen (BT-96) vara 0.",
    "BR-E-07": "För en avgift på dokumentnivå med momskategori E ska momssatsen (BT-103) vara 0.",
    "BR-E-08": "Beskattningsunderlaget (BT-116) för kategori E ska vara summan av radernas "
    "nettobelopp minus rabatter plus avgifter med kategori E.",
    "BR-E-09": "Momsbeloppet (BT-117) för kategori E ska vara 0.",
    "BR-E-10": "En momsspecifikation med kategori E ska ange undantagsorsak, som kod (BT-121) "
    "eller text (BT-120).",
    "BR-AE-01": "En faktura med rader, rabatter eller avgifter med omvänd "
    "betalningsskyldighet (AE) ska ha exakt en momsspecifikation (BG-23) med kategori AE.",
    "BR-AE-02": "En fakturarad med omvänd betalningsskyldighet kräver säljarens momsnummer (BT-31, "
    "BT-32 eller BT-63) och köparens momsnummer (BT-48) eller organisationsnummer (BT-47).",
    "BR-AE-03": "En rabatt på dokumentnivå med omvänd betalningsskyldighet kräver säljarens "
    "momsnummer (BT-31, BT-32 eller BT-63) och köparens momsnummer (BT-48) eller "
    "organisationsnummer (BT-47).",
    "BR-AE-04": "En avgift på dokumentnivå med omvänd betalningsskyldighet kräver säljarens "
    "momsnummer (BT-31, BT-32 eller BT-63) och köparens momsnummer (BT-48) eller "
    "organisationsnummer (BT-47).",
    "BR-AE-05": "På en fakturarad med omvänd betalningsskyldighet ska momssatsen (BT-152) vara 0.",
    "BR-AE-06": "För en rabatt på dokumentnivå med omvänd betalningsskyldighet ska "
    "momssatsen (BT-96) vara 0.",
    "BR-AE-07": "För en avgift på dokumentnivå med omvänd betalningsskyldighet ska "
    "momssatsen (BT-103) vara 0.",
    "BR-AE-08": "Beskattningsunderlaget (BT-116) för omvänd betalningsskyldighet ska vara "
    "summan av radernas nettobelopp minus rabatter plus avgifter med kategori AE.",
    "BR-AE-09": "Momsbeloppet (BT-117) för omvänd betalningsskyldighet ska vara 0.",
    "BR-AE-10": "En momsspecifikation med omvänd betalningsskyldighet ska ange "
    'undantagsorsak, som kod (BT-121) eller texten "Omvänd betalningsskyldighet" (BT-120).',
    "BR-IC-01": "En faktura med rader, rabatter eller avgifter med momskategori K "
    "(gemenskapsintern leverans) ska ha exakt en momsspecifikation (BG-23) med kategori K.",
    "BR-IC-02": "En fakturarad med momskategori K kräver säljarens momsnummer (BT-31 eller BT-63) "
    "och köparens momsnummer (BT-48).",
    "BR-IC-05": "På en fakturarad med momskategori K ska momssatsen (BT-152) vara 0.",
    "BR-IC-09": "Momsbeloppet (BT-117) för kategori K ska vara 0.",
    "BR-IC-10": "En momsspecifikation med kategori K ska ange undantagsorsak, som kod (BT-121) "
    "eller text (BT-120).",
    "BR-IC-11": "Vid gemenskapsintern leverans (K) ska faktisk leveransdag (BT-72) eller "
    "faktureringsperiod (BG-14) anges.",
    "BR-IC-12": "Vid gemenskapsintern leverans (K) ska leveransadressens landskod (BT-80) anges.",
    "BR-G-01": "En faktura med rader, rabatter eller avgifter med momskategori G (export utanför "
    "EU) ska ha exakt en momsspecifikation (BG-23) med kategori G.",
    "BR-G-02": "En fakturarad med momskategori G kräver säljarens momsnummer (BT-31 eller BT-63).",
    "BR-G-05": "På en fakturarad med momskategori G ska momssatsen (BT-152) vara 0.",
    "BR-G-09": "Momsbeloppet (BT-117) för kategori G ska vara 0.",
    "BR-G-10": "En momsspecifikation med kategori G ska ange undantagsorsak, som kod (BT-121) "
    "eller text (BT-120).",
    "BR-O-01": "En faktura med rader, rabatter eller avgifter med momskategori O (utanför "
    "momsens tillämpningsområde) ska ha exakt en momsspecifikation (BG-23) med kategori O.",
    "BR-O-02": "En fakturarad med momskategori O får inte innehålla säljarens eller köparens "
    "momsregistreringsnummer (BT-31, BT-48, BT-63).",
    "BR-O-05": "En fakturarad med momskategori O får inte ange någon momssats (BT-152).",
    "BR-O-09": "Momsbeloppet (BT-117) för kategori O ska vara 0.",
    "BR-O-10": "En momsspecifikation med kategori O ska ange undantagsorsak, som kod (BT-121) "
    "eller text (BT-120).",
    "BR-O-11": "En faktura med momskategori O får inte ha några andra momsspecifikationer.",
    "BR-O-12": "En faktura med momskategori O får inte ha fakturarader med en annan momskategori.",
    "BR-CL-01": "Fakturatypkoden (BT-3) ska vara en kod ur UNTDID 1001 för fakturor eller "
    "kreditnotor.",
    "BR-CL-03": "Valutakoden (currencyID) ska vara en kod ur ISO 4217, till exempel SEK.",
    "BR-CL-04": "Fakturans valuta (BT-5) ska vara en kod ur ISO 4217, till exempel SEK.",
    "BR-CL-05": "Valutan för momsredovisning (BT-6) ska vara en kod ur ISO 4217.",
    "BR-CL-10": "Identifierartypen ska vara en kod ur ISO 6523 ICD-listan (till exempel 0007 för "
    "svenskt organisationsnummer).",
    "BR-CL-11": "Identifierartypen för ett registreringsnummer ska vara en kod ur ISO 6523 "
    "ICD-listan (till exempel 0007).",
    "BR-CL-14": "Landskoder ska vara koder ur ISO 3166-1, till exempel SE.",
    "BR-CL-15": "Landskoder ska vara koder ur ISO 3166-1, till exempel SE.",
    "BR-CL-16": "Betalningssättet (BT-81) ska vara en kod ur UNCL 4461, till exempel 30.",
    "BR-CL-17": "Momskategorin ska vara en kod ur UNCL 5305 (S, Z, E, AE, K, G, O, L, M).",
    "BR-CL-18": "Momskategorin ska vara en kod ur UNCL 5305 (S, Z, E, AE, K, G, O, L, M).",
    "BR-CL-19": "Orsakskoden för rabatt ska vara en kod ur UNCL 5189.",
    "BR-CL-20": "Orsakskoden för avgift ska vara en kod ur UNCL 7161.",
    "BR-CL-22": "Undantagsorsaken (BT-121) ska vara en kod ur VATEX-listan.",
    "BR-CL-23": "Enhetskoden ska vara en kod ur UN/ECE rekommendation 20 eller 21, till exempel "
    "EA, HUR eller C62.",
    "BR-CL-24": "Filtypen (mimeCode) för en bilaga ska vara en tillåten MIME-typ.",
    "BR-CL-25": "Identifierartypen för en elektronisk adress ska vara en kod ur EAS-listan "
    "(till exempel 0007; 9955 används inte längre).",
    "BR-CL-26": "Identifierartypen för leveransplatsen ska vara en kod ur ISO 6523 ICD-listan.",
    "UBL-CR-001": "En UBL-faktura bör inte innehålla tillägg (UBLExtensions).",
    "UBL-CR-002": "En UBL-faktura bör inte ange UBLVersionID, eller så ska värdet vara 2.1.",
    "UBL-DT-01": "Belopp får ha högst två decimaler.",
    "UBL-DT-06": "En inbäddad bilaga ska ange filtyp (mimeCode).",
    "UBL-DT-07": "En inbäddad bilaga ska ange filnamn (filename).",
}

# BR-DEC-nn: at most two decimals in the named amount.
_DEC_AMOUNTS = {
    "01": "Rabattbelopp på dokumentnivå (BT-92)",
    "02": "Underlag för rabatt på dokumentnivå (BT-93)",
    "05": "Avgiftsbelopp på dokumentnivå (BT-99)",
    "06": "Underlag för avgift på dokumentnivå (BT-100)",
    "09": "Summan av radbelopp (BT-106)",
    "10": "Summan av rabatter på dokumentnivå (BT-107)",
    "11": "Summan av avgifter på dokumentnivå (BT-108)",
    "12": "Totalbelopp exklusive moms (BT-109)",
    "13": "Fakturans totala moms (BT-110)",
    "14": "Totalbelopp inklusive moms (BT-112)",
    "15": "Total moms i redovisningsvalutan (BT-111)",
    "16": "Redan betalt belopp (BT-113)",
    "17": "Öresavrundning (BT-114)",
    "18": "Belopp att betala (BT-115)",
    "19": "Beskattningsunderlaget (BT-116)",
    "20": "Momsbeloppet (BT-117)",
    "23": "Radens nettobelopp (BT-131)",
    "24": "Radrabattens belopp (BT-136)",
    "25": "Underlag för radrabatt (BT-137)",
    "27": "Radavgiftens belopp (BT-141)",
    "28": "Underlag för radavgift (BT-142)",
}
CEN_SV.update(
    {f"BR-DEC-{n}": f"{amount} får ha högst två decimaler." for n, amount in _DEC_AMOUNTS.items()}
)
