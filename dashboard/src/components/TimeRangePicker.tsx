import { Button, DatePicker, Select, Space, Tooltip, Typography } from 'antd';
import { ZoomOutOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { formatDuration } from '../lib/format';
import {
  COMPARE_OFFSETS,
  PRESETS,
  chooseStep,
  presetOf,
  presetRange,
  resolveRange,
  tierFor,
  zoomOutRange,
  type CompareOffset,
  type RangeState,
} from '../lib/timeRange';

/**
 * The history views' time controls: relative presets (5 min to 2 years), an absolute range
 * (date and time), zoom out, and a comparison with an earlier period. Every change goes through
 * `onChange`, which writes the URL (so back/forward walk through the ranges).
 */
export function TimeRangePicker({ value, onChange }: { value: RangeState; onChange: (r: RangeState) => void }) {
  const { t } = useTranslation();
  const now = Date.now();
  const resolved = resolveRange(value, now);
  const preset = presetOf(value);
  const step = chooseStep(resolved.end - resolved.start);
  const zoomOut = () => onChange(zoomOutRange(value, now));
  return (
    <Space wrap size={8} data-testid="time-range">
      <Select
        data-testid="range-preset"
        aria-label={t('history.range.label')}
        style={{ minWidth: 170 }}
        value={preset ?? 'custom'}
        onChange={(p: string) => p !== 'custom' && onChange(presetRange(p, value.cmp))}
        options={[
          ...PRESETS.map((p) => ({ value: p, label: t(`history.presets.${p}`) })),
          { value: 'custom', label: t('history.range.custom'), disabled: true },
        ]}
      />
      <DatePicker.RangePicker
        data-testid="range-absolute"
        aria-label={t('history.range.absolute')}
        showTime={{ format: 'HH:mm' }}
        format="YYYY-MM-DD HH:mm"
        allowClear={false}
        value={[dayjs(resolved.start), dayjs(resolved.end)]}
        disabledDate={(d) => d.valueOf() > now + 86_400_000}
        onChange={(v) => {
          if (v && v[0] && v[1] && v[1].valueOf() > v[0].valueOf()) onChange({ from: String(v[0].valueOf()), to: String(v[1].valueOf()), cmp: value.cmp });
        }}
      />
      <Tooltip title={t('history.range.zoomOut')}>
        <Button data-testid="range-zoom-out" aria-label={t('history.range.zoomOut')} icon={<ZoomOutOutlined />} onClick={zoomOut} />
      </Tooltip>
      <Select
        data-testid="range-compare"
        aria-label={t('history.compare.label')}
        style={{ minWidth: 170 }}
        value={value.cmp ?? 'none'}
        onChange={(c: string) => onChange({ ...value, cmp: c === 'none' ? null : (c as CompareOffset) })}
        options={[{ value: 'none', label: t('history.compare.none') }, ...COMPARE_OFFSETS.map((c) => ({ value: c, label: t(`history.compare.${c}`) }))]}
      />
      <Typography.Text type="secondary" data-testid="range-step" data-step={step} data-tier={tierFor(step)}>
        {t('history.range.step', { step: formatDuration(step), tier: t(`history.tier.${tierFor(step)}`) })}
        {resolved.live ? ` · ${t('history.range.live')}` : ''}
      </Typography.Text>
    </Space>
  );
}
