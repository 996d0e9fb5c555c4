// The Unicode class names (`\p{Name}`, `\P{Name}`, `\pN`) that Go's regexp — istiod's, which compiles every
// header regex — accepts, spelled as Go's unicode tables spell them. RE2 ports know more (newer scripts, and
// names Go's parser does not find: go1.26 refuses every script whose name has an underscore, e.g. Old_Italic),
// so a class outside this list is refused before istiod refuses the VirtualService we would write. Names listed
// by asking the istioctl build's Go (go1.26.8, Unicode 15.0.0) which of its unicode.Scripts, unicode.Categories
// and `Any` its regexp compiles.
export const GO_REGEXP_UNICODE_CLASSES: ReadonlySet<string> = new Set([
  'Adlam', 'Ahom', 'Any', 'Arabic', 'Armenian', 'Avestan', 'Balinese', 'Bamum', 'Batak', 'Bengali', 'Bhaiksuki',
  'Bopomofo', 'Brahmi', 'Braille', 'Buginese', 'Buhid', 'C', 'Carian', 'Cc', 'Cf', 'Chakma', 'Cham', 'Cherokee',
  'Chorasmian', 'Cn', 'Co', 'Common', 'Coptic', 'Cs', 'Cuneiform', 'Cypriot', 'Cyrillic', 'Deseret', 'Devanagari',
  'Dogra', 'Duployan', 'Elbasan', 'Elymaic', 'Ethiopic', 'Georgian', 'Glagolitic', 'Gothic', 'Grantha', 'Greek',
  'Gujarati', 'Gurmukhi', 'Han', 'Hangul', 'Hanunoo', 'Hatran', 'Hebrew', 'Hiragana', 'Inherited', 'Javanese',
  'Kaithi', 'Kannada', 'Katakana', 'Kawi', 'Kharoshthi', 'Khmer', 'Khojki', 'Khudawadi', 'L', 'LC', 'Lao', 'Latin',
  'Lepcha', 'Limbu', 'Lisu', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'Lycian', 'Lydian', 'M', 'Mahajani', 'Makasar', 'Malayalam',
  'Mandaic', 'Manichaean', 'Marchen', 'Mc', 'Me', 'Medefaidrin', 'Miao', 'Mn', 'Modi', 'Mongolian', 'Mro', 'Multani',
  'Myanmar', 'N', 'Nabataean', 'Nandinagari', 'Nd', 'Newa', 'Nko', 'Nl', 'No', 'Nushu', 'Ogham', 'Oriya', 'Osage',
  'Osmanya', 'P', 'Palmyrene', 'Pc', 'Pd', 'Pe', 'Pf', 'Phoenician', 'Pi', 'Po', 'Ps', 'Rejang', 'Runic', 'S',
  'Samaritan', 'Saurashtra', 'Sc', 'Sharada', 'Shavian', 'Siddham', 'Sinhala', 'Sk', 'Sm', 'So', 'Sogdian', 'Soyombo',
  'Sundanese', 'Syriac', 'Tagalog', 'Tagbanwa', 'Takri', 'Tamil', 'Tangsa', 'Tangut', 'Telugu', 'Thaana', 'Thai',
  'Tibetan', 'Tifinagh', 'Tirhuta', 'Toto', 'Ugaritic', 'Vai', 'Vithkuqi', 'Wancho', 'Yezidi', 'Yi', 'Z', 'Zl', 'Zp',
  'Zs',
]);
