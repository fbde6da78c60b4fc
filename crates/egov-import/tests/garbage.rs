//! Random and damaged input never panics a reader: it is read or refused
//! with a place and a reason.

use egov_domain::Era;
use egov_import::{
    read_admin_units, read_agencies, read_procedures, read_successions, Format, ImportError,
};

const FORMATS: [Format; 4] = [Format::Csv, Format::Json, Format::JsonLines, Format::Xlsx];

const SAMPLES: [&str; 5] = [
    "code,name,name_en,full_name,full_name_en,code_name,province_code,administrative_unit_id\n00004,Ba Đình,Ba Dinh,Phường Ba Đình,Ba Dinh Ward,ba_dinh,01,3\n",
    "old_commune_code,new_commune_code,target_count\n00001,00097,1\n00016,00004,2\n",
    "code,name,kind,parent_code,admin_unit_code\nA1,Bộ Tư pháp,ministry,,\n",
    "{\"ma_thu_tuc\":\"1.000236\",\"ten_thu_tuc\":\"Đăng ký\",\"cap_thuc_hien\":\"Cấp bộ\",\"submission_channels\":[{\"channel\":\"Trực tuyến\",\"processing_time\":\"3 Ngày làm việc\",\"fee\":\"50,000 Việt Nam Đồng\",\"description\":\"\"}],\"thanh_phan_ho_so\":\"Tên giấy tờMẫu đơn, tờ khaiSố lượngĐơn1 bản chính,1 bản sao\",\"can_cu_phap_ly\":\"Tên văn bản pháp lýMã văn bảnLuật 54/2014/QH1354/2014/QH13\",\"trinh_tu_thuc_hien\":\"Bước 1: A\\nBước 2: B\"}\n",
    "[{\"Code\":\"01\",\"FullName\":\"Thành phố Hà Nội\",\"Wards\":[{\"Code\":\"00004\",\"FullName\":\"Phường Ba Đình\"}]}]",
];

/// Bytes that matter to the formats, inserted to damage a sample.
const INSERTS: &[u8] = b"\",\n:[{}0123456789./-";

/// xorshift64*: enough randomness for fuzzing, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Runs every reader in every format over `bytes`; each must return.
fn read_all(bytes: &[u8]) -> usize {
    let mut refused = 0;
    for format in FORMATS {
        let results: [Result<(), ImportError>; 5] = [
            read_admin_units(bytes, format, Era::Current).map(drop),
            read_admin_units(bytes, format, Era::Pre2025).map(drop),
            read_successions(bytes, format).map(drop),
            read_agencies(bytes, format).map(drop),
            read_procedures(bytes, format).map(drop),
        ];
        for result in results {
            if let Err(e) = result {
                assert!(!e.location.is_empty() && !e.reason.is_empty(), "{e:?}");
                refused += 1;
            }
        }
    }
    refused
}

#[test]
fn random_bytes_are_refused_without_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut refused = 0;
    for _ in 0..300 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        refused += read_all(&bytes);
    }
    // Almost nothing random is a valid file in any format.
    assert!(refused > 300 * 20 * 9 / 10, "{refused}");
}

#[test]
fn damaged_valid_files_never_panic() {
    let mut rng = Rng(42);
    for sample in SAMPLES {
        for _ in 0..150 {
            let mut bytes = sample.as_bytes().to_vec();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                match rng.below(3) {
                    0 => bytes[at] = rng.next() as u8,
                    1 => bytes.truncate(at),
                    _ => bytes.insert(at, INSERTS[rng.below(INSERTS.len())]),
                }
                if bytes.is_empty() {
                    break;
                }
            }
            read_all(&bytes);
        }
    }
    // The undamaged samples are read by at least one reader each.
    for sample in SAMPLES {
        assert!(read_all(sample.as_bytes()) < FORMATS.len() * 5, "{sample}");
    }
}

#[test]
fn damaged_workbook_never_panics() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/procedures/official-lists/danh-sach-tthc-ToaAnNhanDan.xlsx"
    );
    let Ok(original) = std::fs::read(path) else {
        eprintln!("skipped: {path} not found");
        return;
    };
    assert_eq!(
        read_procedures(&original, Format::Xlsx).map(|p| p.len()),
        Ok(3)
    );
    let mut rng = Rng(7);
    for _ in 0..200 {
        let mut bytes = original.clone();
        for _ in 0..1 + rng.below(8) {
            let at = rng.below(bytes.len());
            bytes[at] = rng.next() as u8;
        }
        if rng.below(4) == 0 {
            bytes.truncate(rng.below(bytes.len()));
        }
        if let Err(e) = read_procedures(&bytes, Format::Xlsx) {
            assert!(!e.location.is_empty());
        }
    }
}
