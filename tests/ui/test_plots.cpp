// The QPainter plots: axis ticks, colour scale, and rendering in light and dark palettes.

#include <QImage>
#include <QPalette>
#include <QtTest>

#include "core/analysis/tensor_stats.h"
#include "ui/jobs/heatmap_data.h"
#include "ui/util/format.h"
#include "ui/widgets/axis_ticks.h"
#include "ui/widgets/color_scale.h"
#include "ui/widgets/heatmap_widget.h"
#include "ui/widgets/histogram_widget.h"
#include "ui/widgets/stats_view.h"

using namespace ckpt::ui;

namespace {

QPalette darkPalette() {
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    p.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    p.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
    p.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x8e, 0xe0));
    return p;
}

// Fraction of pixels for which `pred` holds.
template <typename Pred>
double shareIf(const QImage& img, Pred pred) {
    qint64 hits = 0;
    for (int y = 0; y < img.height(); ++y) {
        for (int x = 0; x < img.width(); ++x) {
            if (pred(img.pixelColor(x, y))) {
                ++hits;
            }
        }
    }
    return static_cast<double>(hits) / (img.width() * img.height());
}

// Fraction of pixels close to `c`.
double share(const QImage& img, const QColor& c) {
    return shareIf(img, [&c](const QColor& p) {
        return qAbs(p.red() - c.red()) + qAbs(p.green() - c.green()) + qAbs(p.blue() - c.blue()) <
               30;
    });
}

HeatmapData smallHeatmap() {
    HeatmapData d;
    d.rows = 4;
    d.cols = 6;
    d.sourceRows = 4;
    d.sourceCols = 6;
    for (int i = 0; i < 24; ++i) {
        d.values.push_back(static_cast<float>(i - 12) / 12.0f);
    }
    d.maxAbs = 1.0;
    return d;
}

}  // namespace

class TestPlots : public QObject {
    Q_OBJECT

private slots:
    void niceTicks() {
        const auto near = [](const std::vector<double>& a, const std::vector<double>& b) {
            if (a.size() != b.size()) {
                return false;
            }
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (std::fabs(a[i] - b[i]) > 1e-9) {
                    return false;
                }
            }
            return true;
        };
        QVERIFY(near(AxisTicks::nice(0, 1, 5), {0, 0.2, 0.4, 0.6, 0.8, 1.0}));
        QVERIFY(near(AxisTicks::nice(-0.66, 0.59, 2), {-0.5, 0, 0.5}));
        QCOMPARE(AxisTicks::nice(0, 0, 5), (std::vector<double>{0}));
        QCOMPARE(AxisTicks::label(0.25, 0.25), QString("0.25"));
        QCOMPARE(AxisTicks::label(-0.5, 0.5), QString("-0.5"));
        QCOMPARE(AxisTicks::label(200, 100), QString("200"));
        QCOMPARE(AxisTicks::label(2e-6, 1e-6), QString("2.0e-06"));
        QCOMPARE(AxisTicks::countLabel(1200), QString("1200"));
        QCOMPARE(AxisTicks::countLabel(25000), QString("25k"));
        QCOMPARE(AxisTicks::countLabel(3e6), QString("3M"));
    }

    void formatting() {
        QCOMPARE(fmt::bytes(512), QString("512 B"));
        QCOMPARE(fmt::bytes(12288), QString("12.0 KiB"));
        QCOMPARE(fmt::bytes(1536), QString("1.50 KiB"));
        QCOMPARE(fmt::shape({}), QString("scalar"));
        QCOMPARE(fmt::shape({3, 4}), QString("[3, 4]"));
        QCOMPARE(fmt::number(std::nan("")), QString("NaN"));
        QCOMPARE(fmt::number(0.5), QString("0.5"));
        QCOMPARE(fmt::percent(1, 3), QString("33.3 %"));
    }

    void divergingScaleIsCentred() {
        const QColor mid = ColorScale::diverging(0.0);
        QVERIFY(mid.red() > 240 && mid.green() > 240 && mid.blue() > 240);
        QVERIFY(ColorScale::diverging(-1).blue() > ColorScale::diverging(-1).red());
        QVERIFY(ColorScale::diverging(1).red() > ColorScale::diverging(1).blue());
        QCOMPARE(ColorScale::diverging(5), ColorScale::diverging(1));
    }

    void histogramRendersInLightAndDark() {
        for (const bool dark : {false, true}) {
            HistogramWidget w;
            if (dark) {
                w.setPalette(darkPalette());
            }
            w.resize(420, 260);
            w.setHistogram(-1, 1, {1, 4, 9, 16, 9, 4, 1}, 0.0);
            QVERIFY(w.message().isEmpty());
            const QImage img = w.grab().toImage();
            const QPalette pal = w.palette();
            // Mostly background, with a visible share of bars.
            QVERIFY2(share(img, pal.color(QPalette::Base)) > 0.4, dark ? "dark" : "light");
            QVERIFY2(share(img, pal.color(QPalette::Highlight)) > 0.05, dark ? "dark" : "light");
            w.setLogScale(true);
            QVERIFY(!w.grab().toImage().isNull());
        }
    }

    void histogramShowsMessagesWithoutData() {
        HistogramWidget w;
        w.resize(300, 200);
        w.setHistogram(0, 0, {});
        QVERIFY(!w.message().isEmpty());
        w.clear("Computing…");
        QCOMPARE(w.message(), QString("Computing…"));
        QVERIFY(!w.grab().isNull());
    }

    void heatmapRendersTheScale() {
        for (const bool dark : {false, true}) {
            HeatmapWidget w;
            if (dark) {
                w.setPalette(darkPalette());
            }
            w.resize(420, 300);
            w.setData(smallHeatmap());
            QVERIFY(w.message().isEmpty());
            const QImage img = w.grab().toImage();
            const double blue =
                shareIf(img, [](const QColor& p) { return p.blue() > p.red() + 60; });
            const double red =
                shareIf(img, [](const QColor& p) { return p.red() > p.blue() + 60; });
            QVERIFY2(blue > 0.05, dark ? "dark" : "light");
            QVERIFY2(red > 0.05, dark ? "dark" : "light");
        }
        HeatmapWidget empty;
        empty.setData(HeatmapData());
        QVERIFY(!empty.message().isEmpty());
    }

    void statsViewShowsValues() {
        StatsView v;
        ckpt::core::TensorStats s;
        s.count = 4;
        s.finite = 3;
        s.nans = 1;
        s.min = -1;
        s.max = 2;
        s.mean = 0.5;
        s.std = 1.5;
        s.zeros = 1;
        v.showStats(s);
        QCOMPARE(v.fieldText("min"), QString("-1"));
        QCOMPARE(v.fieldText("max"), QString("2"));
        QCOMPARE(v.fieldText("nan"), QString("1"));
        QCOMPARE(v.fieldText("zeros"), QString("1  (25 %)"));
        QCOMPARE(v.fieldText("rms"), fmt::number(std::sqrt(2.5)));
        v.showProgress(-1);
        QCOMPARE(v.fieldText("min"), QString("–"));
    }
};

QTEST_MAIN(TestPlots)
#include "test_plots.moc"
