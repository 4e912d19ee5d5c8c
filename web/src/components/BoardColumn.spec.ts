// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import PrimeVue from 'primevue/config';
import { describe, expect, it } from 'vitest';
import draggable from 'vuedraggable';
import { columnOf, leadId, sampleBoard, stageIds } from '../lib/boardFixtures.ts';
import BoardColumn from './BoardColumn.vue';

const mountColumn = (props: Record<string, unknown>) => mount(BoardColumn, { props: props as never, global: { plugins: [[PrimeVue, { unstyled: true }]] } });

describe('BoardColumn', () => {
  const column = columnOf(sampleBoard(), stageIds.new);

  it('renders the stage header, its count and value, and its cards in order', () => {
    const wrapper = mountColumn({ column, currency: 'USD', canAdd: true, dragEnabled: true });
    expect(wrapper.attributes('data-testid')).toBe(`column-${stageIds.new}`);
    expect(wrapper.attributes('data-stage-name')).toBe('New');
    expect(wrapper.find(`[data-testid="column-count-${stageIds.new}"]`).text()).toBe('3');
    expect(wrapper.find('[data-field="total"]').text()).toMatch(/6,000/);
    expect(wrapper.findAll('[data-testid^="card-"]').map((w) => w.attributes('data-testid'))).toEqual([`card-${leadId(1)}`, `card-${leadId(2)}`, `card-${leadId(3)}`]);
  });

  it('offers an add button with an accessible label that emits add', async () => {
    const wrapper = mountColumn({ column, canAdd: true, dragEnabled: true });
    const add = wrapper.find(`[data-testid="add-lead-${stageIds.new}"]`);
    expect(add.attributes('aria-label')).toBe('Add lead to New');
    await add.trigger('click');
    expect(wrapper.emitted('add')).toHaveLength(1);
  });

  it('has no add button for read-only users, nor on a closed stage', () => {
    expect(mountColumn({ column, canAdd: false }).find(`[data-testid="add-lead-${stageIds.new}"]`).exists()).toBe(false);
    const lost = columnOf(sampleBoard(), stageIds.lost);
    const wrapper = mountColumn({ column: lost, canAdd: true, dragEnabled: true });
    expect(wrapper.find(`[data-testid="add-lead-${stageIds.lost}"]`).exists()).toBe(false);
    expect(wrapper.text()).toContain('lost stage');
    expect(wrapper.text()).toContain('No leads');
  });

  it('locks the cards the user may not move', () => {
    const wrapper = mountColumn({ column, dragEnabled: true, isMovable: (c: { id: string }) => c.id !== leadId(2) });
    expect(wrapper.find(`[data-testid="card-${leadId(2)}"]`).classes()).toContain('lead-card--locked');
    expect(wrapper.find(`[data-testid="card-${leadId(1)}"]`).classes()).not.toContain('lead-card--locked');
  });

  it('offers more cards when the server has another page', async () => {
    const wrapper = mountColumn({ column: { ...column, count: 10, nextCursor: 'next' } });
    const more = wrapper.find('.column__more button');
    expect(more.text()).toContain('7 not shown');
    await more.trigger('click');
    expect(wrapper.emitted('loadMore')).toHaveLength(1);
  });

  it('reports a drop from another column and a move within it as (leadId, final index)', async () => {
    const wrapper = mountColumn({ column, dragEnabled: true });
    const list = wrapper.findComponent(draggable);
    const stranger = columnOf(sampleBoard(), stageIds.proposal).cards[0];
    list.vm.$emit('change', { added: { element: stranger, newIndex: 1 } });
    list.vm.$emit('change', { removed: { element: column.cards[0], oldIndex: 0 } });
    list.vm.$emit('change', { moved: { element: column.cards[0], oldIndex: 0, newIndex: 2 } });
    expect(wrapper.emitted('drop')).toEqual([
      [leadId(4), 1],
      [leadId(1), 2],
    ]);
  });
});
