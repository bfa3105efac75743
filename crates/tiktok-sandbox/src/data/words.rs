//! Word lists the creator generator draws from. Some entries hold emoji, quotes, `<` and `&`
//! on purpose: every consumer must escape what it echoes.

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Maya", "Liam", "Aisha", "Noah", "Sofia", "Mateo", "Chloé", "Kenji", "Amara", "Lucas",
    "Priya", "Ethan", "Zoe", "Omar", "Hana", "Diego", "Freya", "Kwame", "Lena", "Ravi",
    "Isla", "Tomás", "Nadia", "Jonah", "Mei", "Felix", "Aaliyah", "Bruno", "Ingrid", "Yusuf",
    "Camila", "Theo", "Sakura", "Malik", "Elena", "Arjun", "Nora", "Kofi", "Leila", "Sven",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "Okafor", "Nguyen", "Rossi", "Schmidt", "García", "Tanaka", "Haddad", "Kowalski", "Silva",
    "O'Brien", "Patel", "Johansson", "Mensah", "Dubois", "Kim", "Moreau", "Ivanova", "Cohen",
    "Fernández", "Lindqvist", "Abebe", "Murphy", "Yamamoto", "Novak", "Costa", "Berg",
    "Achebe", "Larsen", "Romero", "Chen", "Farouk", "Walsh", "Bianchi", "Sato", "Adeyemi",
    "Horvat", "Lopez", "Eriksen", "Das", "Quinn",
];

/// A content niche: a handle word, bios and video title templates (`{n}` is a number).
pub(crate) struct Niche {
    pub(crate) handle_word: &'static str,
    pub(crate) emoji: &'static str,
    pub(crate) bios: &'static [&'static str],
    pub(crate) titles: &'static [&'static str],
    pub(crate) hashtags: &'static str,
}

pub(crate) const NICHES: &[Niche] = &[
    Niche {
        handle_word: "cooks",
        emoji: "🍳",
        bios: &[
            "Home cook 🍳 | recipes < 15 min & no fuss",
            "Grandma's recipes, my kitchen 👵🍝",
            "Pasta > everything. New recipe every Sunday",
        ],
        titles: &[
            "{n}-minute pasta 🍝",
            "The \"lazy\" lasagna that broke my oven",
            "Salt & vinegar chips, but homemade",
            "Rating every instant noodle: part {n}",
            "Knife skills < 60 seconds 🔪",
            "",
        ],
        hashtags: "#cooking #recipe #foodtok #fyp",
    },
    Niche {
        handle_word: "travels",
        emoji: "🌍",
        bios: &[
            "Travel & tea ☕ | {n} countries and counting 🌍",
            "Cheap flights, long walks, good coffee",
            "",
        ],
        titles: &[
            "Rating airport food ✈️ part {n}",
            "Lisbon in 24 hours (under €50)",
            "Don't make this mistake in Tokyo 🇯🇵",
            "Night train vs plane: which wins?",
            "Packing for {n} days in one bag 🎒",
        ],
        hashtags: "#travel #traveltok #backpacking",
    },
    Niche {
        handle_word: "science",
        emoji: "🔬",
        bios: &[
            "\"Stay curious\" — daily science facts 🔬",
            "PhD dropout explaining physics <3",
            "Space, atoms & everything in between ✨",
        ],
        titles: &[
            "Why the sky is blue (in 30 seconds)",
            "Fact #{n}: octopuses have 3 hearts 🐙",
            "This experiment should NOT work…",
            "Is 0.999… = 1? Let's settle it",
            "What's inside a <black hole>?",
        ],
        hashtags: "#science #learnontiktok #physics",
    },
    Niche {
        handle_word: "laughs",
        emoji: "😂",
        bios: &[
            "Dad jokes <3 · new sketch every Friday",
            "I play every character. Yes, even the cat 🐈",
            "Comedy & chaos | bookings: see link",
        ],
        titles: &[
            "When the group chat goes silent 😅",
            "POV: your mom finds your \"secret\" snacks",
            "Types of people at the gym, part {n}",
            "Tom & Jerry-style fail <3",
            "",
        ],
        hashtags: "#comedy #skit #relatable #fyp",
    },
    Niche {
        handle_word: "fit",
        emoji: "💪",
        bios: &[
            "Coach 💪 | Form > ego | DMs open for 'quick' questions",
            "From couch to {n}k: join me",
            "Mobility, strength & rest days 🧘",
        ],
        titles: &[
            "Don't skip leg day… 😅",
            "{n} push-up variations you haven't tried",
            "Stretch routine for desk workers",
            "Protein oats, 3 ways 🥣",
            "Day {n} of 75 hard",
        ],
        hashtags: "#fitness #gymtok #workout",
    },
    Niche {
        handle_word: "makes",
        emoji: "🎨",
        bios: &[
            "Plants, paint & patience 🌿🎨",
            "Thrift flips & furniture rescues 🪑",
            "Making things out of <other> things",
        ],
        titles: &[
            "Thrift flip #{n}: the ugliest lamp 💡",
            "Painting my door \"sage green\"",
            "Propagating pothos in water 🌱",
            "Epoxy table, take {n}",
            "Before & after: balcony makeover",
        ],
        hashtags: "#diy #thriftflip #plants",
    },
    Niche {
        handle_word: "tech",
        emoji: "💻",
        bios: &[
            "Tech reviews for people who <hate> jargon",
            "Building apps & breaking them 💻",
            "Café owner in Montréal · l'amour du code ☕",
        ],
        titles: &[
            "Is the new phone worth it? 📱",
            "{n} keyboard shortcuts you need",
            "I replaced my laptop with a tablet for {n} days",
            "Rust vs Go in 60s 🦀",
            "",
        ],
        hashtags: "#tech #techtok #gadgets",
    },
    Niche {
        handle_word: "pets",
        emoji: "🐶",
        bios: &[
            "Rescue dogs 🐶 & the humans who love them",
            "3 cats, 1 couch, 0 peace",
            "",
        ],
        titles: &[
            "He heard the treat bag 🐕",
            "Day {n} of teaching my cat to sit",
            "Rescue update: Biscuit's first beach 🏖️",
            "Dog reviews the new bed (& hates it)",
            "Foster #{n} found a home ❤️",
        ],
        hashtags: "#dogsoftiktok #catsoftiktok #rescue",
    },
];
