"""Template-driven Vietnamese content for demo practice models: titles, summaries, stories, results,
contacts and commendations that read like the reports units really send.

Generation is pure: `generate_model(seed=..., index=...)` always returns the same draft for the same
seed and index, whatever else is in the database, so a larger run only adds to a smaller one.
"""

import datetime
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from search.text import fold

from ..models import CommendationForm, RecognitionLevel, UnitKind
from .data import (
    FAMILY_NAMES,
    FEMALE_GIVEN_NAMES,
    FEMALE_MIDDLE_NAMES,
    MALE_GIVEN_NAMES,
    MALE_MIDDLE_NAMES,
    MOBILE_PREFIXES,
    UnitSpec,
)

DVK = "dan-van-kheo"
CB4T = "chi-bo-bon-tot"
ECONOMY = "kinh-te"
SOCIETY = "van-hoa-xa-hoi"
SECURITY = "quoc-phong-an-ninh"
POLITICS = "xay-dung-he-thong-chinh-tri"

FIRST_DEMO_YEAR = 2019
LAST_DEMO_YEAR = 2025


@dataclass(frozen=True)
class Idea:
    """One kind of model: what it is called, what it aims at, how it is done and what it measures."""

    core: str
    aim: str
    problem: str
    methods: tuple[str, ...]
    indicators: tuple[tuple[str, float, float, str], ...]  # label, low, high, unit of measure
    where: str = "any"  # "any", "urban", "rural" or "school" (a school's party cell)
    who: str = ""  # an organisation suffix (PN, CCB, DTN, ND, MT) when only that organisation runs it


IDEAS: dict[tuple[str, str | None], tuple[Idea, ...]] = {
    (DVK, ECONOMY): (
        Idea(
            "Vận động Nhân dân hiến đất mở rộng đường giao thông nông thôn",
            "vận động các hộ dân tự nguyện hiến đất, tháo dỡ tường rào để mở rộng đường làng, ngõ xóm",
            "nhiều tuyến đường làng nhỏ hẹp, xuống cấp, xe cứu thương và xe chở nông sản không vào được",
            (
                "Chi bộ họp bàn, thống nhất chủ trương, phân công từng đảng viên phụ trách vận động các hộ",
                "Tổ chức hội nghị lấy ý kiến Nhân dân, công khai phương án, mức đóng góp và tiến độ thi công",
                "Cán bộ, đảng viên, người có uy tín gương mẫu hiến đất trước để Nhân dân noi theo",
                "Ban giám sát đầu tư của cộng đồng theo dõi chất lượng công trình đến khi nghiệm thu",
            ),
            (
                ("Diện tích đất Nhân dân tự nguyện hiến", 300, 4500, "m²"),
                ("Chiều dài đường được mở rộng", 0.4, 6.5, "km"),
                ("Kinh phí Nhân dân đóng góp", 150, 3800, "triệu đồng"),
            ),
            where="rural",
        ),
        Idea(
            "Dồn điền đổi thửa gắn với xây dựng cánh đồng mẫu lớn",
            "dồn điền đổi thửa, quy hoạch lại đồng ruộng để cơ giới hóa và liên kết tiêu thụ nông sản",
            "ruộng đất manh mún, mỗi hộ có năm, bảy thửa nhỏ, chi phí sản xuất cao, nhiều diện tích bị bỏ hoang",
            (
                "Khảo sát, lập phương án dồn đổi, niêm yết công khai tại nhà văn hóa thôn",
                "Đảng viên, hội viên Hội Nông dân đi đầu nhận ruộng xa, ruộng xấu",
                "Mời doanh nghiệp ký hợp đồng bao tiêu sản phẩm lúa chất lượng cao",
                "Cán bộ khuyến nông hướng dẫn quy trình canh tác, cơ giới hóa khâu làm đất và thu hoạch",
            ),
            (
                ("Diện tích dồn điền đổi thửa", 20, 260, "ha"),
                ("Giá trị sản xuất bình quân tăng", 12, 45, "%"),
                ("Số hộ tham gia", 120, 950, "hộ"),
            ),
            where="rural",
        ),
        Idea(
            "Tổ hợp tác sản xuất rau an toàn theo tiêu chuẩn VietGAP",
            "đưa các hộ trồng rau vào tổ hợp tác, sản xuất theo quy trình VietGAP và truy xuất nguồn gốc",
            "người trồng rau làm ăn nhỏ lẻ, lạm dụng thuốc bảo vệ thực vật, sản phẩm bị ép giá",
            (
                "Hội Nông dân vận động các hộ cùng ký cam kết sản xuất an toàn",
                "Mở lớp tập huấn quy trình VietGAP, ghi nhật ký đồng ruộng, dán tem truy xuất nguồn gốc",
                "Kết nối với bếp ăn trường học, siêu thị và chợ đầu mối để tiêu thụ ổn định",
            ),
            (
                ("Diện tích rau đạt chứng nhận VietGAP", 3, 45, "ha"),
                ("Thu nhập bình quân của thành viên", 80, 220, "triệu đồng/năm"),
                ("Số hộ thành viên", 15, 90, "hộ"),
            ),
            where="rural",
            who="ND",
        ),
        Idea(
            "Hỗ trợ hội viên phụ nữ khởi nghiệp, phát triển kinh tế hộ gia đình",
            "giúp hội viên phụ nữ có hoàn cảnh khó khăn tiếp cận vốn vay, học nghề và khởi nghiệp",
            "nhiều chị em thiếu vốn, thiếu kiến thức kinh doanh, thu nhập bấp bênh",
            (
                "Rà soát, lập danh sách hội viên có nhu cầu hỗ trợ sinh kế",
                "Phối hợp Ngân hàng Chính sách xã hội giải ngân vốn vay ưu đãi qua tổ tiết kiệm và vay vốn",
                "Mở lớp dạy nghề làm bánh, may mặc, bán hàng trực tuyến",
                "Ghép cặp hội viên khá giỏi đỡ đầu hội viên khó khăn",
            ),
            (
                ("Số hội viên được hỗ trợ vốn", 25, 320, "hội viên"),
                ("Tổng dư nợ ủy thác", 1.5, 38, "tỷ đồng"),
                ("Số hộ hội viên thoát nghèo", 3, 45, "hộ"),
            ),
            who="PN",
        ),
        Idea(
            "Chợ 4.0 – thanh toán không dùng tiền mặt",
            "đưa thanh toán bằng mã QR đến từng sạp hàng ở chợ dân sinh",
            "tiểu thương quen dùng tiền mặt, việc trả tiền lẻ mất thời gian và thiếu vệ sinh",
            (
                "Đoàn Thanh niên cử đoàn viên đến từng sạp hướng dẫn mở tài khoản, in mã QR",
                "Ban quản lý chợ phối hợp ngân hàng tặng biển mã QR, hỗ trợ phí giao dịch",
                "Biểu dương hằng tháng những tiểu thương tiêu biểu trên loa truyền thanh",
            ),
            (
                ("Số sạp hàng có mã QR thanh toán", 60, 520, "sạp"),
                ("Tỷ lệ giao dịch không dùng tiền mặt", 35, 85, "%"),
            ),
            where="urban",
            who="DTN",
        ),
        Idea(
            "Tuyến phố kinh doanh văn minh, không lấn chiếm vỉa hè",
            "vận động các hộ kinh doanh trả lại vỉa hè cho người đi bộ, sắp xếp hàng hóa gọn gàng",
            "hàng quán lấn chiếm vỉa hè, người đi bộ phải đi xuống lòng đường, mất mỹ quan đô thị",
            (
                "Tổ dân phố tổ chức cho các hộ ký cam kết không lấn chiếm vỉa hè",
                "Kẻ vạch sơn giới hạn khu vực để xe, trồng cây xanh, treo biển tuyến phố văn minh",
                "Tổ tự quản kiểm tra hằng tuần, nhắc nhở và biểu dương kịp thời",
            ),
            (
                ("Số hộ kinh doanh ký cam kết", 40, 260, "hộ"),
                ("Chiều dài vỉa hè được trả lại cho người đi bộ", 0.3, 2.8, "km"),
            ),
            where="urban",
        ),
        Idea(
            "Đưa sản phẩm OCOP lên sàn thương mại điện tử",
            "giúp các hộ sản xuất, hợp tác xã đưa sản phẩm OCOP lên sàn thương mại điện tử",
            "sản phẩm làng nghề, nông sản đặc sản chủ yếu bán qua thương lái, giá thấp, đầu ra không ổn định",
            (
                "Đoàn viên thanh niên chụp ảnh, viết giới thiệu sản phẩm, lập gian hàng trực tuyến",
                "Tổ chức các buổi bán hàng trực tiếp trên mạng xã hội vào mùa thu hoạch",
                "Hướng dẫn chủ thể làm bao bì, nhãn mác, mã vạch theo quy định",
            ),
            (
                ("Số sản phẩm OCOP lên sàn", 5, 48, "sản phẩm"),
                ("Doanh thu bán hàng trực tuyến", 0.4, 12, "tỷ đồng"),
            ),
            where="rural",
        ),
        Idea(
            "Nghĩa tình đồng đội – giúp cựu chiến binh khó khăn vay vốn làm kinh tế",
            "lập quỹ nghĩa tình đồng đội để giúp hội viên cựu chiến binh khó khăn vay vốn không lãi",
            "một số hội viên cựu chiến binh tuổi cao, sức yếu, thiếu vốn để chăn nuôi, buôn bán nhỏ",
            (
                "Hội viên tự nguyện góp quỹ hằng năm, doanh nhân cựu chiến binh ủng hộ thêm",
                "Ban chấp hành Hội xét duyệt công khai, ưu tiên hội viên có hoàn cảnh khó khăn nhất",
                "Hội viên khá giỏi kèm cặp, hướng dẫn cách làm ăn, theo dõi sử dụng vốn",
            ),
            (
                ("Quỹ nghĩa tình đồng đội", 120, 1500, "triệu đồng"),
                ("Số lượt hội viên được vay vốn", 10, 140, "lượt"),
            ),
            who="CCB",
        ),
        Idea(
            "Thanh niên khởi nghiệp từ làng nghề truyền thống",
            "khuyến khích thanh niên giữ nghề, khởi nghiệp từ sản phẩm làng nghề của quê hương",
            "lớp trẻ rời làng đi làm ăn xa, nhiều nghề truyền thống đứng trước nguy cơ mai một",
            (
                "Tổ chức diễn đàn thanh niên khởi nghiệp, mời nghệ nhân và doanh nhân chia sẻ kinh nghiệm",
                "Giới thiệu nguồn vốn từ Quỹ hỗ trợ thanh niên lập nghiệp",
                "Hỗ trợ xây dựng thương hiệu, quảng bá sản phẩm trên mạng xã hội",
            ),
            (
                ("Số dự án khởi nghiệp của thanh niên", 4, 36, "dự án"),
                ("Số lao động trẻ có việc làm ổn định", 20, 260, "người"),
            ),
            where="rural",
            who="DTN",
        ),
        Idea(
            "Quỹ tín dụng xoay vòng giúp hộ cận nghèo thoát nghèo bền vững",
            "lập quỹ xoay vòng từ sự đóng góp của cộng đồng để hộ cận nghèo có vốn sản xuất",
            "một số hộ cận nghèo khó tiếp cận vốn ngân hàng, dễ tái nghèo khi gặp rủi ro",
            (
                "Mặt trận chủ trì vận động doanh nghiệp, nhà hảo tâm và Nhân dân đóng góp quỹ",
                "Cho vay không lãi, thời hạn 24 tháng, hoàn trả để hộ khác được vay",
                "Cán bộ chi hội theo dõi, hướng dẫn hộ vay sử dụng vốn đúng mục đích",
            ),
            (
                ("Quỹ xoay vòng huy động được", 80, 900, "triệu đồng"),
                ("Số hộ cận nghèo được vay vốn", 8, 85, "hộ"),
                ("Số hộ thoát cận nghèo", 3, 40, "hộ"),
            ),
            who="MT",
        ),
    ),
    (DVK, SOCIETY): (
        Idea(
            "Phân loại rác thải tại nguồn",
            "hướng dẫn từng hộ gia đình phân loại rác hữu cơ, rác tái chế và rác còn lại ngay tại nhà",
            "lượng rác sinh hoạt ngày càng nhiều, điểm tập kết quá tải, gây mùi và mất mỹ quan",
            (
                "Hội Phụ nữ đến từng hộ phát tài liệu, hướng dẫn cách phân loại",
                "Trang bị thùng rác ba màu tại các điểm tập kết, có người trực nhắc nhở",
                "Rác hữu cơ được ủ phân bón cho vườn rau, rác tái chế được bán gây quỹ hội",
                "Bình xét hộ gia đình thực hiện tốt vào dịp tổng kết cuối năm",
            ),
            (
                ("Tỷ lệ hộ gia đình phân loại rác", 55, 98, "%"),
                ("Lượng rác tái chế thu gom mỗi tháng", 0.8, 6.5, "tấn"),
                ("Số tiền gây quỹ từ rác tái chế", 15, 180, "triệu đồng"),
            ),
        ),
        Idea(
            "Tuyến phố văn minh đô thị",
            "xây dựng tuyến phố sáng, xanh, sạch, đẹp, các hộ cùng giữ gìn trật tự, văn minh",
            "tuyến phố đông dân, buôn bán nhộn nhịp, rác thải và tiếng ồn ảnh hưởng đời sống",
            (
                "Các hộ ký quy ước tuyến phố văn minh, treo biển cam kết trước cửa nhà",
                "Trồng và chăm sóc bồn hoa, cây xanh dọc tuyến phố",
                "Lắp đèn chiếu sáng, vẽ tranh tường trên các bức tường cũ",
            ),
            (
                ("Số hộ ký quy ước", 60, 320, "hộ"),
                ("Số bồn hoa, cây xanh được trồng mới", 30, 400, "bồn, cây"),
            ),
            where="urban",
        ),
        Idea(
            "Tủ sách cộng đồng – thắp sáng ước mơ",
            "xây dựng tủ sách tại nhà văn hóa để thiếu nhi và người dân có chỗ đọc sách miễn phí",
            "thiếu nhi ít có sân chơi lành mạnh, nhiều em dành quá nhiều thời gian cho điện thoại",
            (
                "Đoàn Thanh niên phát động quyên góp sách, báo trong Nhân dân và các cơ quan",
                "Sắp xếp góc đọc tại nhà văn hóa, mở cửa vào buổi tối và ngày nghỉ",
                "Tổ chức ngày hội đọc sách, kể chuyện theo sách cho thiếu nhi mỗi quý",
            ),
            (
                ("Số đầu sách được quyên góp", 600, 5200, "cuốn"),
                ("Số lượt bạn đọc mỗi tháng", 120, 1400, "lượt"),
            ),
            who="DTN",
        ),
        Idea(
            "Bữa cơm nghĩa tình cho bệnh nhân nghèo",
            "nấu và trao những suất cơm miễn phí cho bệnh nhân nghèo và người nhà đang điều trị",
            "nhiều bệnh nhân ở xa điều trị dài ngày, hoàn cảnh khó khăn, phải ăn uống kham khổ",
            (
                "Hội viên phụ nữ thay phiên nhau đi chợ, nấu cơm vào mỗi sáng thứ Bảy",
                "Vận động tiểu thương, nhà hảo tâm ủng hộ gạo, thực phẩm",
                "Công khai thu chi trên bảng tin và nhóm Zalo của chi hội",
            ),
            (
                ("Số suất cơm được trao", 1800, 26000, "suất"),
                ("Số tình nguyện viên tham gia", 15, 120, "người"),
            ),
            who="PN",
        ),
        Idea(
            "Khu dân cư không rác thải nhựa",
            "giảm túi ni lông và đồ nhựa dùng một lần trong sinh hoạt của các hộ gia đình",
            "túi ni lông, chai nhựa dùng một lần tràn lan, ảnh hưởng môi trường",
            (
                "Tặng làn đi chợ, túi vải cho các hộ gia đình",
                "Tổ chức đổi chai nhựa lấy cây xanh, đổi rác lấy quà",
                "Tuyên truyền trên loa truyền thanh và nhóm Zalo tổ dân phố",
            ),
            (
                ("Số túi vải, làn đi chợ được trao tặng", 300, 3500, "chiếc"),
                ("Lượng rác thải nhựa giảm", 20, 65, "%"),
            ),
        ),
        Idea(
            "Câu lạc bộ dưỡng sinh, văn nghệ người cao tuổi",
            "tập hợp người cao tuổi rèn luyện sức khỏe, sinh hoạt văn nghệ, sống vui, sống khỏe",
            "nhiều người cao tuổi sống một mình, ít giao lưu, sức khỏe giảm sút",
            (
                "Thành lập câu lạc bộ, sinh hoạt vào sáng sớm hằng ngày tại nhà văn hóa",
                "Mời hướng dẫn viên dạy dưỡng sinh, khiêu vũ, hát chèo",
                "Tham gia hội diễn văn nghệ quần chúng của phường, xã",
            ),
            (
                ("Số hội viên câu lạc bộ", 30, 160, "người"),
                ("Số buổi biểu diễn phục vụ Nhân dân", 6, 40, "buổi"),
            ),
        ),
        Idea(
            "Biến điểm tập kết rác thành vườn hoa, sân chơi cho thiếu nhi",
            "cải tạo các khu đất trống, điểm tập kết rác thành vườn hoa, sân chơi cho trẻ em",
            "khu dân cư thiếu không gian công cộng, nhiều bãi đất trống thành nơi đổ trộm phế thải",
            (
                "Lấy ý kiến Nhân dân về thiết kế và cách sử dụng sân chơi",
                "Vận động các hộ đóng góp ngày công, vật liệu, cây giống",
                "Giao tổ dân phố quản lý, phân công các hộ trực vệ sinh theo tuần",
            ),
            (
                ("Diện tích được cải tạo", 200, 2400, "m²"),
                ("Kinh phí xã hội hóa", 80, 950, "triệu đồng"),
            ),
            where="urban",
        ),
        Idea(
            "Lớp học tiếng Anh miễn phí cho thiếu nhi",
            "mở lớp tiếng Anh miễn phí do sinh viên tình nguyện dạy cho thiếu nhi khu dân cư",
            "nhiều gia đình không có điều kiện cho con học thêm ngoại ngữ",
            (
                "Liên hệ với các trường đại học để mời sinh viên tình nguyện",
                "Mượn phòng tại nhà văn hóa, học vào tối thứ Ba và thứ Năm",
                "Tổ chức sân chơi tiếng Anh vào dịp hè",
            ),
            (
                ("Số em thiếu nhi theo học", 25, 180, "em"),
                ("Số tình nguyện viên tham gia giảng dạy", 4, 30, "người"),
            ),
            where="urban",
            who="DTN",
        ),
        Idea(
            "Mái ấm tình thương – xây nhà cho hội viên khó khăn",
            "vận động nguồn lực xây mới, sửa chữa nhà ở cho hội viên có hoàn cảnh đặc biệt khó khăn",
            "một số hộ hội viên sống trong căn nhà dột nát, không đảm bảo an toàn mùa mưa bão",
            (
                "Rà soát, bình xét công khai các hộ cần hỗ trợ",
                "Vận động doanh nghiệp, nhà hảo tâm ủng hộ kinh phí, vật liệu",
                "Hội viên, đoàn viên góp ngày công xây dựng",
            ),
            (
                ("Số nhà được xây mới, sửa chữa", 2, 24, "căn"),
                ("Kinh phí vận động", 120, 1800, "triệu đồng"),
            ),
        ),
        Idea(
            "Thắp sáng đường quê",
            "lắp đèn chiếu sáng các tuyến đường thôn, ngõ xóm bằng nguồn lực xã hội hóa",
            "đường làng tối, người dân đi lại buổi tối khó khăn, tiềm ẩn tai nạn và trộm cắp",
            (
                "Thôn họp dân, thống nhất mức đóng góp theo hộ",
                "Hội Cựu chiến binh và Đoàn Thanh niên nhận thi công, lắp đặt",
                "Giao tổ tự quản kiểm tra, thay bóng hỏng hằng tháng",
            ),
            (
                ("Số bóng đèn được lắp đặt", 60, 620, "bóng"),
                ("Chiều dài tuyến đường được chiếu sáng", 1.2, 14, "km"),
            ),
            where="rural",
        ),
    ),
    (DVK, SECURITY): (
        Idea(
            "Camera an ninh – mắt thần khu dân cư",
            "lắp camera giám sát tại các ngõ, ngách, nút giao thông bằng nguồn đóng góp của Nhân dân",
            "tình trạng trộm cắp vặt, vi phạm trật tự an toàn giao thông còn xảy ra, khó xác minh",
            (
                "Công an phối hợp tổ dân phố khảo sát, chọn vị trí lắp đặt",
                "Vận động các hộ tự nguyện đóng góp, công khai danh sách và số tiền",
                "Kết nối hình ảnh về công an để theo dõi và trích xuất khi cần",
            ),
            (
                ("Số camera an ninh được lắp đặt", 12, 180, "chiếc"),
                ("Số vụ trộm cắp giảm so với trước", 30, 85, "%"),
            ),
        ),
        Idea(
            "Tổ liên gia an toàn phòng cháy chữa cháy",
            "tổ chức các hộ liền kề thành tổ liên gia, sẵn sàng hỗ trợ nhau khi có cháy, nổ",
            "nhiều nhà ống, ngõ nhỏ, xe chữa cháy khó tiếp cận, nguy cơ cháy nổ cao",
            (
                "Mỗi tổ gồm năm đến mười hộ liền kề, có tổ trưởng và số điện thoại liên lạc",
                "Trang bị bình chữa cháy, búa, thang dây tại điểm chữa cháy công cộng",
                "Diễn tập phương án chữa cháy và cứu nạn mỗi năm hai lần",
            ),
            (
                ("Số tổ liên gia được thành lập", 8, 120, "tổ"),
                ("Số bình chữa cháy được trang bị", 40, 600, "bình"),
            ),
        ),
        Idea(
            "Khu dân cư bình yên",
            "xây dựng khu dân cư không có tội phạm, không có tệ nạn xã hội, mọi nhà cùng giữ gìn trật tự",
            "khu dân cư có nhiều người lao động tự do, người thuê trọ, tiềm ẩn phức tạp về an ninh trật tự",
            (
                "Ký cam kết giữa các hộ gia đình về giữ gìn an ninh trật tự",
                "Quản lý chặt chẽ người tạm trú, tạm vắng, phối hợp với chủ nhà trọ",
                "Tổ bảo vệ an ninh trật tự cơ sở tuần tra vào ban đêm",
            ),
            (
                ("Số hộ ký cam kết", 80, 450, "hộ"),
                ("Số buổi tuần tra mỗi năm", 48, 360, "buổi"),
            ),
        ),
        Idea(
            "Cổng trường an toàn giao thông",
            "bảo đảm an toàn giao thông trước cổng trường vào giờ đưa đón học sinh",
            "giờ tan học, phụ huynh dừng đỗ xe tràn lan, ùn tắc, tiềm ẩn tai nạn cho học sinh",
            (
                "Đoàn viên thanh niên, cựu chiến binh phân luồng trước cổng trường",
                "Kẻ vạch khu vực chờ đón, vận động phụ huynh đỗ xe đúng nơi quy định",
                "Tuyên truyền luật giao thông cho học sinh vào giờ chào cờ",
            ),
            (
                ("Số buổi phân luồng giao thông", 120, 380, "buổi"),
                ("Số phụ huynh ký cam kết", 200, 1600, "phụ huynh"),
            ),
            who="DTN",
        ),
        Idea(
            "Nhóm Zalo an ninh trật tự khu dân cư",
            "lập nhóm Zalo kết nối người dân với công an và tổ dân phố để báo tin nhanh",
            "thông tin về vụ việc an ninh trật tự đến chậm, người dân ngại trình báo",
            (
                "Mỗi hộ có ít nhất một thành viên tham gia nhóm",
                "Công an khu vực trực, phản hồi tin báo trong ngày",
                "Đăng tải cảnh báo thủ đoạn lừa đảo, trộm cắp mới",
            ),
            (
                ("Số thành viên tham gia nhóm", 150, 1400, "người"),
                ("Số tin báo được xử lý", 20, 260, "tin"),
            ),
        ),
        Idea(
            "Thanh niên xung kích tuần tra an ninh",
            "tổ chức đội thanh niên xung kích tuần tra, giữ gìn an ninh trật tự vào ban đêm",
            "một số điểm vắng vẻ thường xảy ra trộm cắp, tụ tập gây rối vào ban đêm",
            (
                "Lập đội hình thanh niên xung kích, có danh sách trực theo tuần",
                "Phối hợp với công an xã, phường để tuần tra các điểm phức tạp",
                "Hướng dẫn người dân cách phòng ngừa, tự bảo vệ tài sản",
            ),
            (
                ("Số đoàn viên tham gia đội xung kích", 12, 60, "đoàn viên"),
                ("Số buổi tuần tra", 60, 300, "buổi"),
            ),
            who="DTN",
        ),
        Idea(
            "Phòng, chống lừa đảo qua mạng cho người cao tuổi",
            "trang bị cho người cao tuổi kỹ năng nhận biết và phòng tránh lừa đảo qua điện thoại, mạng xã hội",
            "nhiều người cao tuổi bị lừa đảo qua điện thoại, mất tiền tiết kiệm",
            (
                "Công an phường, xã nói chuyện chuyên đề tại các buổi sinh hoạt chi hội",
                "Phát tờ rơi, dán khuyến cáo tại nhà văn hóa",
                "Con cháu trong gia đình cài đặt, hướng dẫn ông bà sử dụng ứng dụng an toàn",
            ),
            (
                ("Số người cao tuổi được tuyên truyền", 150, 1800, "người"),
                ("Số vụ lừa đảo được ngăn chặn kịp thời", 2, 30, "vụ"),
            ),
        ),
        Idea(
            "Giúp người lầm lỗi tái hòa nhập cộng đồng",
            "giáo dục, cảm hóa, giúp người chấp hành xong án phạt tù có việc làm, hòa nhập cộng đồng",
            "người lầm lỗi trở về địa phương mặc cảm, khó tìm việc làm, dễ tái phạm",
            (
                "Phân công cán bộ, hội viên cựu chiến binh kèm cặp từng trường hợp",
                "Giới thiệu học nghề, vay vốn, việc làm tại các doanh nghiệp trên địa bàn",
                "Gia đình, tổ dân phố thường xuyên động viên, theo dõi",
            ),
            (
                ("Số người được giúp đỡ", 3, 28, "người"),
                ("Tỷ lệ có việc làm ổn định", 60, 100, "%"),
            ),
            who="CCB",
        ),
    ),
    (DVK, POLITICS): (
        Idea(
            "Dân hỏi – cán bộ trả lời",
            "tổ chức để người dân hỏi trực tiếp, cán bộ trả lời ngay những vấn đề dân quan tâm",
            "một số kiến nghị của Nhân dân chậm được trả lời, gây bức xúc",
            (
                'Định kỳ mỗi quý tổ chức buổi "Dân hỏi – cán bộ trả lời" tại nhà văn hóa',
                "Người đứng đầu cấp ủy, chính quyền trực tiếp trả lời, hẹn thời hạn giải quyết",
                "Công khai kết quả giải quyết trên bảng tin và loa truyền thanh",
            ),
            (
                ("Số ý kiến, kiến nghị được trả lời", 40, 420, "ý kiến"),
                ("Tỷ lệ kiến nghị được giải quyết dứt điểm", 75, 100, "%"),
            ),
        ),
        Idea(
            "Đối thoại trực tiếp giữa người đứng đầu cấp ủy, chính quyền với Nhân dân",
            "tổ chức đối thoại trực tiếp để lắng nghe và giải quyết kịp thời tâm tư, nguyện vọng của Nhân dân",
            "một số vụ việc về đất đai, môi trường kéo dài, Nhân dân gửi đơn nhiều lần",
            (
                "Mặt trận tổng hợp ý kiến, kiến nghị trước buổi đối thoại",
                "Bí thư, Chủ tịch trực tiếp đối thoại, phân công người chịu trách nhiệm giải quyết",
                "Ban Thanh tra nhân dân giám sát việc thực hiện các cam kết",
            ),
            (
                ("Số cuộc đối thoại", 2, 14, "cuộc"),
                ("Số vụ việc tồn đọng được giải quyết", 5, 60, "vụ việc"),
            ),
            who="MT",
        ),
        Idea(
            "Bộ phận một cửa thân thiện",
            "xây dựng bộ phận tiếp nhận và trả kết quả thủ tục hành chính thân thiện, tận tình",
            "người dân phải đi lại nhiều lần, chưa hài lòng với thái độ phục vụ",
            (
                "Niêm yết công khai thủ tục, lệ phí, thời hạn giải quyết",
                "Bố trí đoàn viên thanh niên hướng dẫn người dân nộp hồ sơ trực tuyến",
                "Đặt thiết bị đánh giá mức độ hài lòng tại quầy",
            ),
            (
                ("Tỷ lệ hồ sơ giải quyết đúng hạn", 92, 100, "%"),
                ("Tỷ lệ người dân hài lòng", 88, 99.5, "%"),
            ),
        ),
        Idea(
            "Cán bộ, đảng viên gương mẫu nơi cư trú",
            "phát huy vai trò nêu gương của cán bộ, đảng viên đang công tác sinh hoạt tại nơi cư trú",
            "một số cán bộ, đảng viên ít tham gia hoạt động ở khu dân cư nơi mình sinh sống",
            (
                "Mỗi đảng viên đăng ký ít nhất một việc làm cụ thể với chi bộ nơi cư trú",
                "Chi bộ theo dõi, nhận xét hằng năm gửi về cơ quan của đảng viên",
                "Biểu dương đảng viên tiêu biểu tại hội nghị tổng kết",
            ),
            (
                ("Số đảng viên đăng ký việc làm cụ thể", 20, 180, "đảng viên"),
                ("Số việc làm hoàn thành", 25, 240, "việc"),
            ),
        ),
        Idea(
            "Hòm thư góp ý điện tử qua mã QR",
            "để người dân góp ý, phản ánh với chính quyền nhanh chóng qua mã QR",
            "người dân ngại đến trụ sở để phản ánh, thông tin đến chậm",
            (
                "Dán mã QR tại nhà văn hóa, chợ, trường học",
                "Phân công cán bộ tiếp nhận, chuyển xử lý trong 24 giờ",
                "Phản hồi kết quả qua tin nhắn cho người phản ánh",
            ),
            (
                ("Số phản ánh tiếp nhận", 60, 900, "phản ánh"),
                ("Thời gian phản hồi trung bình", 1, 5, "ngày"),
            ),
        ),
        Idea(
            "Hướng dẫn người dân sử dụng dịch vụ công trực tuyến",
            "đưa dịch vụ công trực tuyến đến từng hộ gia đình bằng các tổ công nghệ số cộng đồng",
            "nhiều người dân, nhất là người cao tuổi, chưa biết sử dụng dịch vụ công trực tuyến",
            (
                "Thành lập tổ công nghệ số cộng đồng ở từng tổ dân phố, thôn",
                "Đoàn viên thanh niên hướng dẫn cài đặt định danh điện tử",
                "Mở các buổi hướng dẫn vào cuối tuần tại nhà văn hóa",
            ),
            (
                ("Số người được hướng dẫn", 300, 4200, "người"),
                ("Tỷ lệ hồ sơ nộp trực tuyến", 40, 95, "%"),
            ),
            who="DTN",
        ),
        Idea(
            "Phát huy vai trò người có uy tín trong cộng đồng",
            "phát huy vai trò của người có uy tín, trưởng họ, người cao tuổi trong vận động Nhân dân",
            "một số chủ trương mới chưa được Nhân dân hiểu đầy đủ, còn băn khoăn",
            (
                "Lập danh sách người có uy tín, định kỳ gặp mặt, cung cấp thông tin",
                "Mời người có uy tín tham gia hòa giải, vận động các gia đình",
                "Biểu dương, khen thưởng người có uy tín tiêu biểu",
            ),
            (
                ("Số người có uy tín tham gia", 10, 80, "người"),
                ("Số vụ việc hòa giải thành", 5, 60, "vụ"),
            ),
        ),
        Idea(
            "Mặt trận lắng nghe ý kiến Nhân dân",
            "tổ chức để Mặt trận và các đoàn thể lắng nghe, tổng hợp và phản ánh ý kiến Nhân dân kịp thời",
            "ý kiến của Nhân dân qua nhiều kênh, chưa được tổng hợp đầy đủ",
            (
                "Ban công tác Mặt trận ở khu dân cư ghi sổ ý kiến Nhân dân hằng tháng",
                "Tổng hợp, chuyển đến cấp ủy, chính quyền và theo dõi kết quả",
                "Thông tin lại cho Nhân dân tại hội nghị khu dân cư",
            ),
            (
                ("Số ý kiến được tổng hợp", 60, 520, "ý kiến"),
                ("Tỷ lệ ý kiến được trả lời", 80, 100, "%"),
            ),
            who="MT",
        ),
    ),
    (CB4T, POLITICS): (
        Idea(
            "Nâng cao chất lượng sinh hoạt chuyên đề",
            "đổi mới nội dung, hình thức sinh hoạt chuyên đề, gắn với những vấn đề thiết thực của địa bàn",
            "sinh hoạt chi bộ có lúc còn đơn điệu, nặng về thông báo, ít thảo luận",
            (
                "Chọn chủ đề sinh hoạt từ những việc cụ thể của địa bàn, giao đảng viên chuẩn bị trước",
                "Mời đại diện Nhân dân, đoàn thể dự một phần buổi sinh hoạt",
                "Kết luận rõ việc, rõ người, rõ thời hạn và kiểm tra ở kỳ sinh hoạt sau",
            ),
            (
                ("Tỷ lệ đảng viên dự sinh hoạt", 92, 100, "%"),
                ("Số chuyên đề sinh hoạt trong năm", 4, 12, "chuyên đề"),
            ),
        ),
        Idea(
            "Đảng viên phụ trách hộ gia đình",
            "phân công mỗi đảng viên phụ trách một nhóm hộ gia đình để nắm tình hình, vận động Nhân dân",
            "chi bộ chưa nắm sát tâm tư, nguyện vọng của từng hộ",
            (
                "Mỗi đảng viên phụ trách từ năm đến mười lăm hộ, có sổ theo dõi",
                "Báo cáo tình hình các hộ tại kỳ sinh hoạt chi bộ hằng tháng",
                "Giúp các hộ giải quyết khó khăn, vận động thực hiện chủ trương",
            ),
            (
                ("Số hộ được đảng viên phụ trách", 60, 420, "hộ"),
                ("Số kiến nghị được phản ánh, giải quyết", 10, 120, "kiến nghị"),
            ),
        ),
        Idea(
            "Sổ tay đảng viên điện tử",
            "ứng dụng Sổ tay đảng viên điện tử để gửi tài liệu, điểm danh và lấy ý kiến đảng viên",
            "tài liệu sinh hoạt in giấy tốn kém, đảng viên cao tuổi khó theo dõi",
            (
                "Hướng dẫn từng đảng viên cài đặt, sử dụng ứng dụng",
                "Gửi tài liệu trước kỳ sinh hoạt để đảng viên nghiên cứu",
                "Đảng viên trẻ kèm đảng viên cao tuổi sử dụng thành thạo",
            ),
            (
                ("Tỷ lệ đảng viên sử dụng Sổ tay điện tử", 70, 100, "%"),
                ("Số tài liệu gửi qua ứng dụng", 20, 140, "tài liệu"),
            ),
        ),
        Idea(
            "Bồi dưỡng quần chúng ưu tú, phát triển đảng viên trẻ",
            "phát hiện, bồi dưỡng quần chúng ưu tú, nhất là đoàn viên thanh niên, để kết nạp vào Đảng",
            "đảng viên của chi bộ phần lớn tuổi cao, nguồn phát triển đảng viên mới còn ít",
            (
                "Giao đảng viên theo dõi, giúp đỡ từng quần chúng ưu tú",
                "Giao nhiệm vụ thử thách qua các hoạt động của Đoàn và khu dân cư",
                "Phối hợp với cơ quan, nhà trường xác minh lý lịch kịp thời",
            ),
            (
                ("Số quần chúng ưu tú được bồi dưỡng", 2, 12, "người"),
                ("Số đảng viên mới được kết nạp", 1, 6, "đảng viên"),
            ),
        ),
        Idea(
            "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
            "đưa việc học tập và làm theo Bác thành việc làm thường xuyên, cụ thể của từng đảng viên",
            "việc học tập có nơi còn hình thức, chưa gắn với việc làm cụ thể",
            (
                "Mỗi đảng viên đăng ký một việc làm theo Bác đầu năm",
                "Kể chuyện về Bác ở đầu mỗi kỳ sinh hoạt chi bộ",
                "Đánh giá kết quả thực hiện khi phân loại đảng viên cuối năm",
            ),
            (
                ("Số đảng viên đăng ký việc làm theo Bác", 15, 90, "đảng viên"),
                ("Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên", 90, 100, "%"),
            ),
        ),
        Idea(
            "Phát huy dân chủ trong tự phê bình và phê bình",
            "nâng cao tính lãnh đạo, tính giáo dục và tính chiến đấu qua tự phê bình và phê bình",
            "có lúc đảng viên còn nể nang, ngại góp ý cho nhau",
            (
                "Công khai chương trình sinh hoạt, nghị quyết của chi bộ đến đảng viên",
                "Gợi ý nội dung tự phê bình, phê bình gắn với việc thực hiện nhiệm vụ",
                "Lấy ý kiến Nhân dân nơi cư trú về đảng viên",
            ),
            (
                ("Số ý kiến phát biểu tại sinh hoạt chi bộ", 40, 260, "ý kiến"),
                ("Tỷ lệ đảng viên hoàn thành xuất sắc nhiệm vụ", 10, 30, "%"),
            ),
        ),
    ),
    (CB4T, SOCIETY): (
        Idea(
            "Lãnh đạo xây dựng khu dân cư kiểu mẫu",
            "lãnh đạo các đoàn thể và Nhân dân xây dựng khu dân cư kiểu mẫu, sáng, xanh, sạch, đẹp",
            "khu dân cư còn một số tiêu chí về môi trường, văn hóa chưa đạt",
            (
                "Nghị quyết chuyên đề của chi bộ, phân công đảng viên phụ trách từng tiêu chí",
                "Đảng viên đi đầu trong các buổi tổng vệ sinh cuối tuần",
                "Sơ kết theo quý, biểu dương các hộ tiêu biểu",
            ),
            (
                ("Tỷ lệ hộ đạt danh hiệu gia đình văn hóa", 88, 99, "%"),
                ("Số buổi tổng vệ sinh môi trường", 12, 52, "buổi"),
            ),
        ),
        Idea(
            "Mỗi đảng viên một việc làm cụ thể vì cộng đồng",
            "mỗi đảng viên nhận một việc làm cụ thể, thiết thực để phục vụ cộng đồng dân cư",
            "một số đảng viên cao tuổi còn ngại tham gia công việc chung",
            (
                "Đảng viên tự đăng ký việc làm phù hợp với sức khỏe, hoàn cảnh",
                "Chi bộ công khai danh sách việc làm tại nhà văn hóa",
                "Kiểm tra, đánh giá sáu tháng một lần",
            ),
            (
                ("Số việc làm được đăng ký", 15, 90, "việc"),
                ("Tỷ lệ việc làm hoàn thành", 85, 100, "%"),
            ),
        ),
        Idea(
            "Xây dựng trường học hạnh phúc",
            "lãnh đạo xây dựng trường học hạnh phúc, thầy cô gương mẫu, học sinh chăm ngoan",
            "áp lực học tập, thi cử khiến học sinh và giáo viên căng thẳng",
            (
                "Đảng viên là giáo viên đăng ký giờ dạy tốt, đổi mới phương pháp",
                "Tổ chức các câu lạc bộ kỹ năng sống, thể thao, nghệ thuật",
                "Phối hợp chặt chẽ với cha mẹ học sinh",
            ),
            (
                ("Tỷ lệ học sinh khá, giỏi", 70, 96, "%"),
                ("Số giáo viên dạy giỏi cấp quận, huyện", 2, 18, "giáo viên"),
            ),
            where="school",
        ),
    ),
    (CB4T, ECONOMY): (
        Idea(
            "Lãnh đạo phát triển kinh tế tập thể",
            "lãnh đạo hợp tác xã đổi mới phương thức hoạt động, liên kết sản xuất và tiêu thụ",
            "hợp tác xã hoạt động cầm chừng, dịch vụ cho xã viên chưa hiệu quả",
            (
                "Nghị quyết chuyên đề về phát triển kinh tế tập thể",
                "Phân công đảng viên phụ trách các khâu dịch vụ của hợp tác xã",
                "Kết nối doanh nghiệp bao tiêu sản phẩm",
            ),
            (
                ("Doanh thu của hợp tác xã", 1.2, 18, "tỷ đồng"),
                ("Thu nhập bình quân của xã viên tăng", 8, 35, "%"),
            ),
            where="rural",
        ),
        Idea(
            "Đảng viên đi đầu chuyển đổi cơ cấu cây trồng, vật nuôi",
            "đảng viên làm trước, làm mẫu trong chuyển đổi sang cây trồng, vật nuôi có giá trị cao",
            "trồng lúa thu nhập thấp, nhiều diện tích trũng cấy lúa kém hiệu quả",
            (
                "Đảng viên nhận làm mô hình trình diễn trên ruộng nhà mình",
                "Tổ chức cho Nhân dân tham quan, học tập mô hình",
                "Chi bộ phối hợp Hội Nông dân hỗ trợ giống, kỹ thuật",
            ),
            (
                ("Diện tích chuyển đổi", 5, 80, "ha"),
                ("Giá trị thu được trên một héc-ta", 150, 600, "triệu đồng"),
            ),
            where="rural",
        ),
    ),
}

# A chi bộ bốn tốt model may also carry no field at all.
NO_FIELD_SHARE = 0.08

TITLE_PATTERNS_DVK = (
    "{core} ở {place}",
    "Mô hình “{core}” tại {place}",
    "{core} – cách làm của {place}",
    "{core} ({place})",
)
TITLE_PATTERNS_CB4T = (
    "{core} ở {place}",
    "{core} – {place}",
    "Mô hình “{core}” của {place}",
)

CONTEXTS = (
    "Trước năm {start}, trên địa bàn {place} {problem}. Thực hiện Nghị quyết của cấp ủy và hưởng ứng "
    "phong trào thi đua “{movement}”, {unit} đã chọn việc {aim} làm khâu đột phá.",
    "Xuất phát từ thực tế {problem}, {unit} đã bàn bạc, thống nhất và lấy ý kiến Nhân dân trước khi "
    "triển khai mô hình từ năm {start}. Mục tiêu là {aim}.",
    "Qua các buổi tiếp xúc cử tri và sinh hoạt khu dân cư, Nhân dân {place} nhiều lần phản ánh rằng "
    "{problem}. Từ những ý kiến đó, {unit} đã {aim}.",
)
METHOD_LEADS = (
    "Mô hình được triển khai theo phương châm “dân biết, dân bàn, dân làm, dân kiểm tra, dân giám sát, "
    "dân thụ hưởng”, với những cách làm cụ thể:",
    "Để mô hình đi vào cuộc sống, {unit} đã tập trung vào một số việc chính:",
    "Cách làm được cấp ủy thống nhất và giao cho từng tổ chức, từng người phụ trách:",
)
RESULT_LEADS = (
    "Sau {span} triển khai, mô hình đã mang lại kết quả rõ rệt.",
    "Đến cuối năm {year}, mô hình đạt và vượt các chỉ tiêu đề ra.",
    "Mô hình đã được Nhân dân đồng tình, hưởng ứng và mang lại hiệu quả thiết thực.",
)
RESULT_ENDINGS = (
    "Mô hình được {district} chọn để nhân rộng ra {count} đơn vị khác.",
    "Nhân dân tin tưởng, gắn bó hơn với cấp ủy, chính quyền; mối quan hệ giữa cán bộ và Nhân dân ngày càng gần gũi.",
    "Cách làm đã trở thành nền nếp, được duy trì thường xuyên mà không cần nhắc nhở.",
    "Mô hình được giới thiệu tại hội nghị sơ kết phong trào thi đua của {district} năm {year}.",
)
LESSONS = (
    "Bài học rút ra là cấp ủy phải vào cuộc quyết liệt, cán bộ, đảng viên phải gương mẫu đi đầu; mọi việc "
    "đều công khai, minh bạch để Nhân dân bàn và quyết định.",
    "Kinh nghiệm cho thấy khi lợi ích được bàn bạc công khai, Nhân dân sẽ tự giác tham gia; việc biểu dương "
    "kịp thời những cá nhân tiêu biểu có sức lan tỏa lớn.",
    "Điều quan trọng nhất là lắng nghe Nhân dân, bắt đầu từ những việc nhỏ, thiết thực, dễ làm, dễ thấy kết quả.",
    "Sự phối hợp chặt chẽ giữa chi bộ, chính quyền, Mặt trận và các đoàn thể là yếu tố quyết định "
    "thành công của mô hình.",
)
QUOTES = (
    "Lúc đầu nhiều nhà còn băn khoăn, nhưng khi thấy cán bộ, đảng viên làm trước, bà con đều đồng lòng. "
    "Giờ đi lại thuận tiện, ai cũng phấn khởi.",
    "Việc của dân thì dân bàn, dân làm, nên ai cũng có trách nhiệm giữ gìn. Tôi thấy khu phố mình thay đổi từng ngày.",
    "Chúng tôi chỉ làm những việc nhỏ thôi, nhưng làm thường xuyên và làm đến nơi đến chốn.",
    "Được cán bộ hướng dẫn tận tình, gia đình tôi đã có cuộc sống ổn định hơn nhiều.",
    "Cái được lớn nhất là lòng tin của bà con với chi bộ, với chính quyền.",
    "Mô hình này hợp lòng dân nên làm đến đâu, bà con ủng hộ đến đó.",
)
SUMMARIES = (
    "Từ năm {start}, {unit} {aim_verb}. {highlight}",
    "Mô hình {aim_verb_short} với sự tham gia tích cực của Nhân dân; {highlight_lower}",
    "{unit_cap} {aim_verb}, được Nhân dân đồng tình, hưởng ứng. {highlight}",
)

QUOTE_ROLES = (
    "Tổ trưởng tổ dân phố",
    "Trưởng thôn",
    "Chi hội trưởng chi hội phụ nữ",
    "Người dân",
    "Hội viên cựu chiến binh",
    "Bí thư chi bộ",
    "Trưởng ban công tác Mặt trận",
)
CONTACT_POSITIONS = {
    UnitKind.CITY: ("Chuyên viên Ban Dân vận Thành ủy", "Phó Trưởng ban Dân vận Thành ủy"),
    UnitKind.DISTRICT: ("Trưởng ban Dân vận {party_committee}", "Chuyên viên Ban Dân vận {party_committee}"),
    UnitKind.COMMUNE: (
        "Trưởng khối Dân vận Đảng ủy",
        "Chủ tịch Ủy ban Mặt trận Tổ quốc",
        "Phó Chủ tịch Ủy ban nhân dân",
        "Phó Bí thư Thường trực Đảng ủy",
    ),
    UnitKind.PARTY_CELL: ("Bí thư chi bộ", "Phó Bí thư chi bộ"),
    UnitKind.ORGANISATION: ("Chủ tịch", "Phó Chủ tịch", "Ủy viên Ban Thường vụ"),
}


@dataclass(frozen=True)
class CommendationDraft:
    form: str
    level: str
    title: str
    decision_number: str
    decision_date: datetime.date
    issuing_body: str
    with_document: bool


@dataclass
class ModelDraft:
    """Everything one demo practice model needs, before anything is saved."""

    index: int
    external_id: str
    title: str
    unit_code: str
    movement_slug: str
    field_slug: str | None
    year: int
    summary: str
    story: list[dict]
    results: str
    measured_results: list[tuple[str, Decimal, str]]
    gallery: list[tuple[int, str]]  # (image position in the pool, caption)
    attachments: list[tuple[int, str]]  # (document position in the pool, title)
    cover_image: int
    contact_name: str
    contact_position: str
    contact_phone: str
    contact_email: str
    published: bool
    published_at: datetime.datetime | None
    recognition_level: str
    commendations: list[CommendationDraft] = field(default_factory=list)
    idea: str = ""  # the kind of model: other units' models of the same idea may replicate it


@dataclass(frozen=True)
class DemoContext:
    """What generation draws from: the unit plan and the sizes of the picture and document pools.

    `image_ids` and `document_ids` are database ids in pool order; stories refer to them directly.
    """

    units: tuple[UnitSpec, ...]
    image_ids: tuple[int, ...]
    image_captions: tuple[str, ...]
    image_themes: tuple[str, ...]
    document_ids: tuple[int, ...]
    document_titles: tuple[str, ...]
    decision_document_position: int

    def __post_init__(self):
        by_code = {unit.code: unit for unit in self.units}
        object.__setattr__(self, "_by_code", by_code)
        kinds: dict[str, list[UnitSpec]] = {}
        for unit in self.units:
            kinds.setdefault(unit.kind, []).append(unit)
        object.__setattr__(self, "_by_kind", kinds)

    def unit(self, code: str) -> UnitSpec:
        return self._by_code[code]

    def of_kind(self, kind: str) -> list[UnitSpec]:
        return self._by_kind.get(kind, [])


# Who submits: Dân vận khéo models come mostly from wards and communes; chi bộ bốn tốt ones from party cells.
DVK_SUBMITTERS = (
    (UnitKind.COMMUNE, 52),
    (UnitKind.ORGANISATION, 22),
    (UnitKind.PARTY_CELL, 16),
    (UnitKind.DISTRICT, 8),
    (UnitKind.CITY, 2),
)
DVK_FIELD_WEIGHTS = ((ECONOMY, 28), (SOCIETY, 34), (SECURITY, 18), (POLITICS, 20))
CB4T_FIELD_WEIGHTS = ((POLITICS, 70), (SOCIETY, 22), (ECONOMY, 8))
DVK_SHARE = 0.7
PUBLISHED_SHARE = 0.8
RECOGNISED_SHARE = 0.35
LEVEL_WEIGHTS = (
    (RecognitionLevel.GRASSROOTS, 44),
    (RecognitionLevel.DISTRICT, 36),
    (RecognitionLevel.CITY, 17),
    (RecognitionLevel.CENTRAL, 3),
)
LEVEL_ORDER = [level.value for level in RecognitionLevel]
MOVEMENT_NAMES = {DVK: "Dân vận khéo", CB4T: "Chi bộ bốn tốt"}


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def format_number(value: Decimal | float | int) -> str:
    """1234.5 -> "1.234,5", as Vietnamese reports write numbers."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        text = f"{int(number):,}".replace(",", ".")
    else:
        text = f"{number:,.2f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def with_unit(value: Decimal, unit_of_measure: str) -> str:
    """ "95 %" is written "95%" in Vietnamese; every other unit follows a space: "1.250 triệu đồng"."""
    separator = "" if unit_of_measure == "%" else " "
    return f"{format_number(value)}{separator}{unit_of_measure}"


def person_name(rng: random.Random) -> str:
    """A Vietnamese full name, a woman's a little more often than a man's (as in grassroots work)."""
    family = _weighted(rng, FAMILY_NAMES)
    if rng.random() < 0.55:
        return f"{family} {rng.choice(FEMALE_MIDDLE_NAMES)} {rng.choice(FEMALE_GIVEN_NAMES)}"
    return f"{family} {rng.choice(MALE_MIDDLE_NAMES)} {rng.choice(MALE_GIVEN_NAMES)}"


def phone_number(rng: random.Random) -> str:
    digits = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10_000_000):07d}"
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}"


def _district_of(context: DemoContext, unit: UnitSpec) -> UnitSpec | None:
    """The district-level unit above `unit` (or the unit itself), None for the city."""
    current = unit
    while current is not None and current.kind != UnitKind.DISTRICT:
        current = context.unit(current.parent_code) if current.parent_code else None
    return current


def _ward_of(context: DemoContext, unit: UnitSpec) -> UnitSpec | None:
    if unit.kind == UnitKind.COMMUNE:
        return unit
    if unit.kind == UnitKind.PARTY_CELL:
        return context.unit(unit.parent_code)
    return None


def _in_text(name: str) -> str:
    """ "Phường Dịch Vọng" -> "phường Dịch Vọng"; organisations keep their capitals."""
    for prefix in ("Phường", "Xã", "Thị trấn", "Quận", "Huyện", "Thị xã", "Thành phố"):
        if name.startswith(prefix + " "):
            return prefix.lower() + name[len(prefix) :]
    return name


def _party_committee(district: UnitSpec) -> str:
    """ "Quận ủy Cầu Giấy", "Huyện ủy Đông Anh", "Thị ủy Sơn Tây"."""
    for prefix, committee in (("Quận", "Quận ủy"), ("Huyện", "Huyện ủy"), ("Thị xã", "Thị ủy")):
        if district.name.startswith(prefix + " "):
            return committee + district.name[len(prefix) :]
    return "Thành ủy Hà Nội"


def _district_level_word(district: UnitSpec | None) -> str:
    if district is None:
        return "thành phố"
    return district.name.split(" ")[0].lower() if not district.name.startswith("Thị xã") else "thị xã"


def _place_for_title(context: DemoContext, unit: UnitSpec) -> str:
    if unit.kind == UnitKind.PARTY_CELL:
        ward = context.unit(unit.parent_code)
        return f"{unit.name}, {_in_text(ward.name)}"
    if unit.kind == UnitKind.ORGANISATION:
        return unit.name
    return _in_text(unit.name)


def _eligible(ideas: tuple[Idea, ...], unit: UnitSpec) -> list[Idea]:
    suffix = unit.code.rsplit("-", 1)[-1] if unit.kind == UnitKind.ORGANISATION else ""
    area = "rural" if unit.rural else "urban"
    places = ("any", area, "school") if "Trường" in unit.name else ("any", area)
    fitting = [idea for idea in ideas if idea.where in places and idea.who in ("", suffix)]
    own = [idea for idea in fitting if suffix and idea.who == suffix]
    # An organisation mostly submits what it is known for; anyone may submit the general ideas.
    return own * 3 + fitting if own else fitting


def _pick_unit(rng: random.Random, context: DemoContext, movement: str) -> UnitSpec:
    if movement == CB4T:
        return rng.choice(context.of_kind(UnitKind.PARTY_CELL))
    kind = _weighted(rng, DVK_SUBMITTERS)
    return rng.choice(context.of_kind(kind))


def _block_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# Quantities that are written with a decimal part; everything else (households, cameras, sessions) is counted.
DECIMAL_UNITS = {"%", "ha", "km", "tấn", "tỷ đồng", "ngày"}


def _measure(rng: random.Random, low: float, high: float, unit_of_measure: str) -> Decimal:
    value = rng.uniform(low, high)
    if unit_of_measure in DECIMAL_UNITS and (high <= 100 or rng.random() < 0.5):
        return Decimal(str(round(value, 1)))
    return Decimal(round(value))


def _images_for(rng: random.Random, context: DemoContext, field_slug: str | None, count: int) -> list[int]:
    """Positions of `count` different pictures, preferring those drawn for the model's field."""
    themed = [i for i, theme in enumerate(context.image_themes) if theme == (field_slug or POLITICS)]
    others = [i for i in range(len(context.image_themes)) if i not in themed]
    picked = rng.sample(themed, min(count, len(themed)))
    if len(picked) < count:
        picked += rng.sample(others, count - len(picked))
    return picked


def _commendation_chain(
    rng: random.Random, context: DemoContext, unit: UnitSpec, movement: str, year: int, top: str
) -> list[CommendationDraft]:
    """The decisions that lifted a model to `top`: one at `top`, sometimes one or two below it first."""
    district = _district_of(context, unit)
    ward = _ward_of(context, unit)
    lowest = 0 if ward is not None else (1 if district is not None else 2)
    top_rank = max(LEVEL_ORDER.index(top), lowest)
    levels = [LEVEL_ORDER[top_rank]]
    for rank in range(top_rank - 1, lowest - 1, -1):
        if rng.random() < 0.45:
            levels.insert(0, LEVEL_ORDER[rank])
    drafts = []
    month = 9
    for level in levels:
        month = min(12, month + rng.randint(0, 2))
        day = rng.randint(1, 28)
        drafts.append(
            _commendation(
                rng,
                level=level,
                unit=unit,
                movement=movement,
                year=year,
                ward=ward,
                district=district,
                date=datetime.date(year, month, day),
            )
        )
    return drafts


def _commendation(rng, *, level, unit, movement, year, ward, district, date) -> CommendationDraft:
    dvk = movement == DVK
    organisation = unit.code.rsplit("-", 1)[-1] if unit.kind == UnitKind.ORGANISATION else ""
    level_word = _district_level_word(district)
    if level == RecognitionLevel.GRASSROOTS:
        ward_text = _in_text(ward.name)
        body, form, number = rng.choice(
            (
                (f"Ủy ban nhân dân {ward_text}", CommendationForm.CERTIFICATE_OF_MERIT, "{n}/QĐ-UBND"),
                (f"Đảng ủy {ward_text}", CommendationForm.CERTIFICATE_OF_MERIT, "{n}-QĐ/ĐU"),
            )
        )
        n = rng.randint(12, 380)
        title = (
            f"Mô hình “Dân vận khéo” tiêu biểu cấp cơ sở năm {year}"
            if dvk
            else f"Chi bộ đạt tiêu chuẩn “Chi bộ bốn tốt” năm {year}"
        )
    elif level == RecognitionLevel.DISTRICT:
        committee = _party_committee(district)
        short = committee.split(" ")[0] + " " + committee.split(" ")[1]  # "Quận ủy", "Huyện ủy", "Thị ủy"
        code = {"Quận ủy": "QU", "Huyện ủy": "HU", "Thị ủy": "TU"}[short]
        options = [
            (f"Ủy ban nhân dân {_in_text(district.name)}", CommendationForm.CERTIFICATE_OF_MERIT, "{n}/QĐ-UBND"),
            (committee, CommendationForm.CERTIFICATE_OF_MERIT, "{n}-QĐ/" + code),
        ]
        if dvk:
            options.append((f"Ban Dân vận {committee}", CommendationForm.CERTIFICATE_OF_MERIT, "{n}-QĐ/BDV" + code))
        else:
            options.append((committee, CommendationForm.EMULATION_TITLE, "{n}-QĐ/" + code))
        body, form, number = rng.choice(options)
        n = rng.randint(150, 4800) if "UBND" in number else rng.randint(40, 1900)
        if form == CommendationForm.EMULATION_TITLE:
            title = f"Chi bộ “Bốn tốt” tiêu biểu năm {year}"
        elif dvk:
            title = f"Mô hình “Dân vận khéo” tiêu biểu cấp {level_word} năm {year}"
        else:
            title = f"Chi bộ “Bốn tốt” có thành tích xuất sắc năm {year}"
    elif level == RecognitionLevel.CITY:
        options = [
            ("Ủy ban nhân dân thành phố Hà Nội", CommendationForm.DIPLOMA_OF_MERIT, "{n}/QĐ-UBND"),
            ("Thành ủy Hà Nội", CommendationForm.DIPLOMA_OF_MERIT, "{n}-QĐ/TU"),
        ]
        if dvk:
            options.append(("Ban Dân vận Thành ủy Hà Nội", CommendationForm.CERTIFICATE_OF_MERIT, "{n}-QĐ/BDVTU"))
        if organisation == "PN":
            options.append(("Hội Liên hiệp Phụ nữ thành phố Hà Nội", CommendationForm.DIPLOMA_OF_MERIT, "{n}/QĐ-HPN"))
        if organisation == "CCB":
            options.append(("Hội Cựu chiến binh thành phố Hà Nội", CommendationForm.DIPLOMA_OF_MERIT, "{n}/QĐ-CCB"))
        body, form, number = rng.choice(options)
        if body.startswith("Ủy ban") and rng.random() < 0.08:
            form = CommendationForm.EMULATION_FLAG
        n = rng.randint(1200, 6900) if "UBND" in number else rng.randint(80, 2600)
        if form == CommendationForm.EMULATION_FLAG:
            title = f"Đơn vị dẫn đầu phong trào thi đua “{MOVEMENT_NAMES[movement]}” năm {year}"
        elif dvk:
            title = f"Mô hình “Dân vận khéo” tiêu biểu cấp thành phố năm {year}"
        else:
            title = f"Chi bộ “Bốn tốt” tiêu biểu cấp thành phố năm {year}"
    else:
        options = [("Thủ tướng Chính phủ", CommendationForm.DIPLOMA_OF_MERIT, "{n}/QĐ-TTg")]
        if dvk:
            options.append(("Ban Dân vận Trung ương", CommendationForm.DIPLOMA_OF_MERIT, "{n}-QĐ/BDVTW"))
            options.append(
                (
                    "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam",
                    CommendationForm.DIPLOMA_OF_MERIT,
                    "{n}/QĐ-MTTW-BTT",
                )
            )
        else:
            options.append(("Ban Tổ chức Trung ương", CommendationForm.DIPLOMA_OF_MERIT, "{n}-QĐ/BTCTW"))
        body, form, number = rng.choice(options)
        if rng.random() < 0.1:
            body, form, number = ("Chủ tịch nước", CommendationForm.ORDER, "{n}/QĐ-CTN")
        n = rng.randint(200, 2400)
        if form == CommendationForm.ORDER:
            title = "Huân chương Lao động hạng Ba"
        elif dvk:
            title = f"Đã có thành tích xuất sắc trong phong trào thi đua “Dân vận khéo” giai đoạn {year - 4}–{year}"
        else:
            title = f"Tổ chức cơ sở đảng tiêu biểu trong xây dựng “Chi bộ bốn tốt” năm {year}"
    return CommendationDraft(
        form=str(form),
        level=str(level),
        title=title,
        decision_number=number.format(n=n),
        decision_date=date,
        issuing_body=body,
        with_document=rng.random() < 0.3,
    )


def generate_model(*, seed: int, index: int, context: DemoContext) -> ModelDraft:
    """The demo model number `index` for `seed`: the same draft every time, whatever else exists."""
    rng = random.Random(f"demo-model:{seed}:{index}")  # noqa: S311 - demo data, not security
    movement = DVK if rng.random() < DVK_SHARE else CB4T
    unit = _pick_unit(rng, context, movement)
    field_slug: str | None = _weighted(rng, DVK_FIELD_WEIGHTS if movement == DVK else CB4T_FIELD_WEIGHTS)
    ideas = _eligible(IDEAS[(movement, field_slug)], unit)
    if not ideas:  # e.g. a rural-only field for a city ward: fall back to any idea of the movement
        field_slug = POLITICS
        ideas = _eligible(IDEAS[(movement, POLITICS)], unit)
    idea = rng.choice(ideas)
    if movement == CB4T and rng.random() < NO_FIELD_SHARE:
        field_slug = None
    year = rng.randint(FIRST_DEMO_YEAR, LAST_DEMO_YEAR)
    start = year - rng.randint(0, 3)
    district = _district_of(context, unit)
    district_text = _in_text(district.name) if district else "thành phố Hà Nội"
    place = _place_for_title(context, unit)
    unit_text = _in_text(unit.name)

    patterns = TITLE_PATTERNS_DVK if movement == DVK else TITLE_PATTERNS_CB4T
    pattern = rng.choice(patterns)
    if "–" in idea.core and " – " in pattern:  # one dash per title is enough
        pattern = patterns[0]
    title = pattern.format(core=idea.core, place=place)
    if rng.random() < 0.15:
        title += f" năm {year}"

    measured = [(label, _measure(rng, low, high, uom), uom) for label, low, high, uom in idea.indicators]
    highlight_label, highlight_value, highlight_uom = measured[0]
    highlight = f"{highlight_label}: {with_unit(highlight_value, highlight_uom)}."
    summary = rng.choice(SUMMARIES).format(
        start=start,
        unit=unit_text,
        unit_cap=unit_text[0].upper() + unit_text[1:],
        aim_verb=f"đã {idea.aim}",
        aim_verb_short=idea.aim,
        highlight=highlight,
        highlight_lower=highlight[0].lower() + highlight[1:],
    )
    summary = summary[0].upper() + summary[1:]

    fill = {
        "start": start,
        "year": year,
        "place": unit.place or place,
        "problem": idea.problem,
        "aim": idea.aim,
        "unit": unit_text,
        "movement": MOVEMENT_NAMES[movement],
        "district": district_text,
        "span": "một năm" if year == start else f"{year - start + 1} năm",
        "count": rng.randint(3, 24),
    }
    methods = rng.sample(idea.methods, k=min(len(idea.methods), rng.randint(3, 4)))
    result_lines = [
        f"{label if k == 0 else label[0].lower() + label[1:]} đạt {with_unit(value, uom)}"
        for k, (label, value, uom) in enumerate(measured)
    ]
    quote_author = person_name(rng)
    images = _images_for(rng, context, field_slug, 1 + rng.randint(2, 4))
    story = [
        {
            "type": "paragraph",
            "value": f"<h3>Hoàn cảnh ra đời</h3><p>{rng.choice(CONTEXTS).format(**fill)}</p>",
            "id": _block_id(rng),
        },
        {
            "type": "paragraph",
            "value": "<h3>Cách làm</h3><p>{}</p><ul>{}</ul>".format(
                rng.choice(METHOD_LEADS).format(**fill), "".join(f"<li>{m}.</li>" for m in methods)
            ),
            "id": _block_id(rng),
        },
        {
            "type": "image",
            "value": {"image": context.image_ids[images[0]], "caption": context.image_captions[images[0]]},
            "id": _block_id(rng),
        },
        {
            "type": "quote",
            "value": {"text": rng.choice(QUOTES), "attribution": f"{quote_author}, {rng.choice(QUOTE_ROLES)}"},
            "id": _block_id(rng),
        },
        {
            "type": "paragraph",
            "value": "<h3>Kết quả</h3><p>{} {}.</p>".format(
                rng.choice(RESULT_LEADS).format(**fill), "; ".join(result_lines)
            ),
            "id": _block_id(rng),
        },
    ]
    if rng.random() < 0.6:
        story.append(
            {
                "type": "paragraph",
                "value": f"<h3>Bài học kinh nghiệm</h3><p>{rng.choice(LESSONS)}</p>",
                "id": _block_id(rng),
            }
        )
    attachments: list[tuple[int, str]] = []
    report_positions = [i for i in range(len(context.document_ids)) if i != context.decision_document_position]
    if rng.random() < 0.3 and report_positions:
        position = rng.choice(report_positions)
        story.append(
            {
                "type": "document",
                "value": {"document": context.document_ids[position], "title": context.document_titles[position]},
                "id": _block_id(rng),
            }
        )
    if rng.random() < 0.4 and report_positions:
        position = rng.choice(report_positions)
        attachments.append((position, context.document_titles[position]))

    results = " ".join(
        [
            rng.choice(RESULT_LEADS).format(**fill),
            "; ".join(result_lines) + ".",
            rng.choice(RESULT_ENDINGS).format(**fill),
        ]
    )

    contact_name = person_name(rng)
    position = rng.choice(CONTACT_POSITIONS[unit.kind]).format(
        party_committee=_party_committee(district) if district else "Thành ủy"
    )
    if unit.kind == UnitKind.COMMUNE:
        position = f"{position} {unit_text}"
    elif unit.kind == UnitKind.ORGANISATION:
        position = f"{position} {unit.name}"
    email_name = fold(contact_name).replace(" ", "")
    contact_email = f"{email_name}.{fold(unit.code).replace('-', '')}@example.vn"

    published = rng.random() < PUBLISHED_SHARE
    published_at = None
    recognition_level = ""
    commendations: list[CommendationDraft] = []
    if published:
        published_at = datetime.datetime(
            year,
            rng.randint(3, 10),
            rng.randint(1, 28),
            rng.randint(7, 17),
            rng.randint(0, 59),
            tzinfo=datetime.UTC,
        )
        # Recognition only comes to published models: a draft has not been reviewed yet.
        if rng.random() < RECOGNISED_SHARE / PUBLISHED_SHARE:
            top = _weighted(rng, LEVEL_WEIGHTS)
            commendations = _commendation_chain(rng, context, unit, movement, year, top)
            recognition_level = max((c.level for c in commendations), key=LEVEL_ORDER.index)

    return ModelDraft(
        index=index,
        external_id=f"DEMO-{index:06d}",
        title=title,
        unit_code=unit.code,
        movement_slug=movement,
        field_slug=field_slug,
        year=year,
        summary=summary,
        story=story,
        results=results,
        measured_results=measured,
        gallery=[(position, context.image_captions[position]) for position in images[1:]],
        attachments=attachments,
        cover_image=images[0],
        contact_name=contact_name,
        contact_position=position,
        contact_phone=phone_number(rng),
        contact_email=contact_email,
        published=published,
        published_at=published_at,
        recognition_level=recognition_level,
        commendations=commendations,
        idea=idea.core,
    )
